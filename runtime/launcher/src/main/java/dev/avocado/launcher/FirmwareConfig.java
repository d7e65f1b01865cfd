package dev.avocado.launcher;

import dev.avocado.api.keys.KeyService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The security settings of a device: which key service holds its keys, how to reach its TPM, where
 * its MPR and its partition two are. They come only from the signed firmware (p1/firmware.properties)
 * and the launcher's command line (which p1's start script and systemd unit give), never from the data
 * partition: at each boot the launcher writes them afresh as Config Admin files into
 * {@code data/firmware-config}, forgets what Config Admin kept of them in {@code data/cm}, and refuses
 * to boot when {@code data/config} holds a file for one of them (an offline write to the SD card).
 */
final class FirmwareConfig {

    /** Framework property: the device's key service, soft or tpm. */
    static final String KEYS = "avocado.keys";
    /** Framework property: the TCTI of the TPM (device:/dev/tpmrm0, swtpm:port=2321). */
    static final String TCTI = "avocado.tpm.tcti";
    /**
     * Framework property: the key service of the LDevID, soft or pkcs11; default pkcs11 (the TPM through
     * tpm2-pkcs11, which wpa_supplicant can use too) when the device keys are in the TPM, soft otherwise.
     */
    static final String LDEVID_KEYS = "avocado.ldevid.keys";
    /** Framework property: the PKCS#11 module of the LDevID's token; default Debian's tpm2-pkcs11. */
    static final String PKCS11_MODULE = "avocado.pkcs11.module";
    /**
     * Framework property: whether that module keeps keys in hardware; true for the default tpm2-pkcs11,
     * false for any other module unless the firmware says so (a software token such as SoftHSM2 is not).
     */
    static final String PKCS11_SECURE = "avocado.pkcs11.secure";
    /** Framework property: where the MPR is read from: file (p1/mpr/mpr.pem, the default) or tpm-nv. */
    static final String MPR_SOURCE = "avocado.mpr.source";

    static final String TPM_PID = "dev.avocado.keys.tpm";
    static final String PKCS11_PID = "dev.avocado.keys.pkcs11";
    static final String MPR_PID = "dev.avocado.mpr";
    static final String MPR_NV_PID = "dev.avocado.mpr.tpm";
    static final String P2_PID = "dev.avocado.p2";
    /** The configurations that only the firmware sets. */
    static final List<String> PIDS = List.of(KeyService.SELECTION_PID, TPM_PID, PKCS11_PID, MPR_PID, MPR_NV_PID, P2_PID);

    private FirmwareConfig() {
    }

    /**
     * Checks the data partition and writes the firmware's configurations for this boot.
     *
     * @param settings the firmware properties with the command line's over them
     * @throws FirmwareException when data/config tries to set one, or a setting is malformed
     */
    static void apply(DeviceImage image, Map<String, String> settings) throws FirmwareException {
        if (Files.isDirectory(image.config())) {
            try (Stream<Path> files = Files.list(image.config())) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    // FileInstall: PID.cfg, PID.config, and PID-NAME.cfg for a factory configuration of PID
                    // (FileInstall splits at the first '-')
                    String base = name.replaceFirst("\\.(cfg|config)$", "");
                    String pid = base.indexOf('-') > 0 ? base.substring(0, base.indexOf('-')) : base;
                    if (PIDS.contains(pid)) {
                        throw new FirmwareException("data/config/" + name + ": " + pid + " is a security setting of "
                                + "the firmware (key services, TPM, PKCS#11 token, MPR, partition two), taken only from "
                                + "p1/firmware.properties and the launcher's command line; remove the file from the data "
                                + "partition");
                    }
                    // the key services' selection, whatever configuration carries it: components read it from
                    // dev.avocado.keys, and their own configuration (dev.avocado.brski, say) would override it
                    for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                        String key = line.strip().split("[=:\\s]", 2)[0];
                        if (key.equals("keyService.target") || key.endsWith("KeyService.target")) {
                            throw new FirmwareException("data/config/" + name + ": " + key + " selects a key service, a "
                                    + "security setting of the firmware, taken only from p1/firmware.properties and the "
                                    + "launcher's command line; remove it from the data partition");
                        }
                    }
                }
            } catch (IOException e) {
                throw new FirmwareException("data/config cannot be read: " + e.getMessage(), e);
            }
        }
        String keys = settings.getOrDefault(KEYS, "soft");
        if (!"soft".equals(keys) && !"tpm".equals(keys)) {
            throw new FirmwareException(KEYS + " must be soft or tpm, not '" + keys + "'");
        }
        String tcti = settings.get(TCTI);
        if ("tpm".equals(keys) && (tcti == null || tcti.isBlank())) {
            throw new FirmwareException(KEYS + "=tpm needs " + TCTI + " (device:/dev/tpmrm0, swtpm:port=2321)");
        }
        // a TPM that serves one connection at a time (swtpm, the simulator) cannot serve the ESYS key service and
        // tpm2-pkcs11 together: there the LDevID stays a software key unless the firmware asks (and D.1 says so)
        boolean shareable = tcti != null && !tcti.startsWith("swtpm:") && !tcti.startsWith("mssim:");
        String ldevidKeys = settings.getOrDefault(LDEVID_KEYS, "tpm".equals(keys) && shareable ? "pkcs11" : "soft");
        if (!"soft".equals(ldevidKeys) && !"pkcs11".equals(ldevidKeys)) {
            throw new FirmwareException(LDEVID_KEYS + " must be soft or pkcs11, not '" + ldevidKeys + "' (EAP-TLS "
                    + "reaches a TPM key only through PKCS#11)");
        }
        String module = settings.getOrDefault(PKCS11_MODULE, tpm2Pkcs11());
        if (module.contains("\n") || module.contains("\r")) {
            throw new FirmwareException(PKCS11_MODULE + " has a line break");
        }
        boolean secure = Boolean.parseBoolean(settings.getOrDefault(PKCS11_SECURE, String.valueOf(module.equals(tpm2Pkcs11()))));
        String mpr = settings.getOrDefault(MPR_SOURCE, "file");
        if (!"file".equals(mpr) && !"tpm-nv".equals(mpr)) {
            throw new FirmwareException(MPR_SOURCE + " must be file or tpm-nv, not '" + mpr + "'");
        }
        try {
            forget(image);
            Path dir = image.firmwareConfig();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> old = Files.list(dir)) {
                    for (Path f : old.toList()) {
                        Files.delete(f);
                    }
                }
            }
            Files.createDirectories(dir);
            write(dir, KeyService.SELECTION_PID, "# written by the launcher from the firmware at each boot\n"
                    + "keyService.target=(avocado.keys.type=" + keys + ")\n"
                    + "ldevidKeyService.target=(avocado.keys.type=" + ldevidKeys + ")\n");
            if ("pkcs11".equals(ldevidKeys)) {
                write(dir, PKCS11_PID, "# written by the launcher from the firmware at each boot\nmodule=" + module
                        + "\ntokenLabel=avocado\nsecureStorage=" + secure + "\n");
            }
            if ("tpm".equals(keys)) {
                write(dir, TPM_PID, "# written by the launcher from the firmware at each boot\ntcti=" + tcti + "\n");
            }
            if ("tpm-nv".equals(mpr)) {
                write(dir, MPR_NV_PID, "# written by the launcher from the firmware at each boot\n");
            }
        } catch (IOException e) {
            throw new FirmwareException("cannot write the firmware's configuration to " + image.firmwareConfig() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Debian's tpm2-pkcs11 module (libtpm2-pkcs11-1) on this machine's architecture. */
    static String tpm2Pkcs11() {
        return "/usr/lib/" + ("aarch64".equals(System.getProperty("os.arch")) ? "aarch64-linux-gnu" : "x86_64-linux-gnu")
                + "/libtpm2_pkcs11.so.1";
    }

    /** Drops what Config Admin persisted of the firmware's configurations (data/cm/dev/avocado/keys.config ...). */
    private static void forget(DeviceImage image) throws IOException {
        for (String pid : PIDS) {
            Path kept = image.configAdmin().resolve(pid.replace('.', '/'));
            Files.deleteIfExists(kept.resolveSibling(kept.getFileName() + ".config"));
            // factory configurations of the PID are kept in the folder of its name, with their factoryPid
            if (Files.isDirectory(kept)) {
                try (Stream<Path> files = Files.list(kept)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        if (Files.readString(f, StandardCharsets.ISO_8859_1).contains("service.factoryPid=\"" + pid + "\"")) {
                            Files.delete(f);
                        }
                    }
                }
            }
        }
    }

    private static void write(Path dir, String pid, String content) throws IOException {
        Files.write(dir.resolve(pid + ".cfg"), content.getBytes(StandardCharsets.UTF_8));
    }
}
