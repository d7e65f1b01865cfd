package dev.avocado.idevid.internal;

import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the device's serial number comes from: configuration, a file, or /proc/cpuinfo (a Raspberry Pi's). */
final class SerialSource {

    private SerialSource() {
    }

    /**
     * @throws ProvisioningException naming the source and what is wrong with it
     */
    static String read(String source, String configured) throws ProvisioningException {
        String serial;
        if (source == null || source.isBlank() || source.equals("config")) {
            serial = configured == null ? "" : configured.strip();
            if (serial.isEmpty()) {
                throw new ProvisioningException("no serial number configured (serial of dev.avocado.idevid; "
                        + "firmware build --serial sets it)");
            }
        } else if (source.startsWith("file:")) {
            Path file = Path.of(source.substring(5));
            try {
                serial = Files.readAllLines(file).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new ProvisioningException("serial file " + file + " cannot be read: " + e.getMessage());
            }
        } else if (source.equals("cpuinfo")) {
            serial = cpuinfo(Path.of("/proc/cpuinfo"));
        } else {
            throw new ProvisioningException("serial source '" + source + "' is not config, file:/path or cpuinfo");
        }
        try {
            return IdevidProfile.checkSerial(serial);
        } catch (ProfileException e) {
            throw new ProvisioningException("serial from " + source + ": " + e.getMessage());
        }
    }

    static String cpuinfo(Path file) throws ProvisioningException {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("Serial")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            throw new ProvisioningException(file + " cannot be read: " + e.getMessage());
        }
        throw new ProvisioningException(file + " has no Serial line (only some boards, such as the Raspberry Pi, have one)");
    }
}
