package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** The configuration files of a device image's data partition (Config Admin, through FileInstall). */
final class DeviceConfig {

    /** Firmware property (launcher FirmwareConfig): the device's key service. */
    static final String KEYS_PROPERTY = "avocado.keys";
    /** Firmware property (launcher FirmwareConfig): the TPM's TCTI. */
    static final String TCTI_PROPERTY = "avocado.tpm.tcti";
    static final String IDEVID_PID = "dev.avocado.idevid";
    static final String BRSKI_PID = "dev.avocado.brski";

    private DeviceConfig() {
    }

    /**
     * Selects the key service: "soft", or "tpm" reached through {@code tcti}.
     *
     * @throws IllegalArgumentException for another key service, or tpm without a TCTI
     */
    static String keys(String keys, String tcti) {
        return String.join("", keysProperties(keys, tcti).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue() + "\n").toList());
    }

    /**
     * The firmware properties that select the key service (the launcher makes them its configuration;
     * they are signed with p1, or given on the launcher's command line, never read from data/).
     */
    static java.util.Map<String, String> keysProperties(String keys, String tcti) {
        if (!"soft".equals(keys) && !"tpm".equals(keys)) {
            throw new IllegalArgumentException("--keys must be soft or tpm, not '" + keys + "'");
        }
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put(KEYS_PROPERTY, keys);
        if ("tpm".equals(keys)) {
            if (tcti == null) {
                throw new IllegalArgumentException("--keys tpm needs --tcti (device:/dev/tpmrm0, swtpm:port=2321, tabrmd:)");
            }
            p.put(TCTI_PROPERTY, tcti);
        }
        return p;
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
        onboarding(image, registrarUrl, dnsSdAddress, ssid, null);
    }

    /** @param radiusServer the DNS name of the RADIUS server E.1's profiles name, or null for the default */
    static void onboarding(DeviceImage image, String registrarUrl, String dnsSdAddress, String ssid, String radiusServer)
            throws IOException {
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
        if (radiusServer != null) {
            b.append("radiusServer=").append(radiusServer).append('\n');
        }
        write(image, BRSKI_PID, b.toString());
    }

    static void write(DeviceImage image, String pid, String content) throws IOException {
        Files.createDirectories(image.config());
        AtomicFiles.write(image.config().resolve(pid + ".cfg"), content.getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
    }
}
