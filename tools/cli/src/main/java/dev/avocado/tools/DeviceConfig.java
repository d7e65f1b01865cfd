package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** The configuration files of a device image's data partition (Config Admin, through FileInstall). */
final class DeviceConfig {

    static final String KEYS_PID = "dev.avocado.keys";
    static final String TPM_PID = "dev.avocado.keys.tpm";
    static final String IDEVID_PID = "dev.avocado.idevid";
    static final String BRSKI_PID = "dev.avocado.brski";

    private DeviceConfig() {
    }

    /**
     * Selects the key service: "soft", or "tpm" reached through {@code tcti}.
     *
     * @throws IllegalArgumentException for another key service, or tpm without a TCTI
     */
    static void keys(DeviceImage image, String keys, String tcti) throws IOException {
        if (!"soft".equals(keys) && !"tpm".equals(keys)) {
            throw new IllegalArgumentException("--keys must be soft or tpm, not '" + keys + "'");
        }
        write(image, KEYS_PID, "# Which key service holds the device keys: (avocado.keys.type=soft) or (avocado.keys.type=tpm)\n"
                + "keyService.target=(avocado.keys.type=" + keys + ")\n");
        if ("tpm".equals(keys)) {
            if (tcti == null) {
                throw new IllegalArgumentException("--keys tpm needs --tcti (device:/dev/tpmrm0, swtpm:port=2321, tabrmd:)");
            }
            write(image, TPM_PID, "# TPM key service: how to reach the TPM\ntcti=" + tcti + "\n");
        } else {
            Files.deleteIfExists(image.config().resolve(TPM_PID + ".cfg"));
        }
    }

    /** The device's serial number, as the IDevID provisioner reads it (serial source config). */
    static void serial(DeviceImage image, String serial) throws IOException {
        write(image, IDEVID_PID, "# IDevID provisioner: the device's serial number (set at image build)\n"
                + "serialSource=config\nserial=" + serial + "\n");
    }

    /**
     * How the pledge finds its registrar: a configured address, or DNS-SD on an interface (the default
     * interface when both are null); and the Wi-Fi network E.1 writes the profile for.
     */
    static void onboarding(DeviceImage image, String registrarUrl, String dnsSdAddress, String ssid) throws IOException {
        StringBuilder b = new StringBuilder("# BRSKI pledge: the registrar (empty: DNS-SD) and the owner's Wi-Fi network\n");
        if (registrarUrl != null) {
            b.append("registrarUrl=").append(registrarUrl).append('\n');
        }
        if (dnsSdAddress != null) {
            b.append("dnsSdAddress=").append(dnsSdAddress).append('\n');
        }
        if (ssid != null) {
            b.append("ssid=").append(ssid).append('\n');
        }
        write(image, BRSKI_PID, b.toString());
    }

    static void write(DeviceImage image, String pid, String content) throws IOException {
        Files.createDirectories(image.config());
        AtomicFiles.write(image.config().resolve(pid + ".cfg"), content.getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
    }
}
