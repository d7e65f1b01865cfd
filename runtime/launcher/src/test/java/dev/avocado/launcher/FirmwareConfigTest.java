package dev.avocado.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The firmware chooses the key services: the device's and the LDevID's, and the LDevID's token. */
public class FirmwareConfigTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aTpmDeviceKeepsItsLdevidInTheTpmThroughTpm2Pkcs11() throws Exception {
        DeviceImage image = DeviceImage.at(tmp.getRoot().toPath());
        FirmwareConfig.apply(image, Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "device:/dev/tpmrm0"));
        String keys = Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.cfg"));
        assertTrue(keys, keys.contains("keyService.target=(avocado.keys.type=tpm)\n"));
        assertTrue(keys, keys.contains("ldevidKeyService.target=(avocado.keys.type=pkcs11)\n"));
        String pkcs11 = Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.pkcs11.cfg"));
        assertTrue(pkcs11, pkcs11.contains("module=/usr/lib/") && pkcs11.contains("/libtpm2_pkcs11.so.1\n"));
        assertTrue(pkcs11, pkcs11.contains("secureStorage=true\n"));
    }

    @Test
    public void aSoftwareTokenIsNotSecureStorageUnlessTheFirmwareSaysSo() throws Exception {
        DeviceImage image = DeviceImage.at(tmp.getRoot().toPath());
        FirmwareConfig.apply(image, Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "device:/dev/tpmrm0",
                "avocado.pkcs11.module", "/usr/lib/softhsm/libsofthsm2.so"));
        assertTrue(Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.pkcs11.cfg"))
                .contains("secureStorage=false\n"));
    }

    @Test
    public void aTpmThatServesOneConnectionKeepsTheLdevidInSoftwareUnlessAsked() throws Exception {
        DeviceImage image = DeviceImage.at(tmp.getRoot().toPath());
        FirmwareConfig.apply(image, Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "swtpm:port=2321"));
        assertTrue(Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.cfg"))
                .contains("ldevidKeyService.target=(avocado.keys.type=soft)\n"));
        FirmwareConfig.apply(image, Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "tabrmd:bus_type=session"));
        assertTrue(Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.cfg"))
                .contains("ldevidKeyService.target=(avocado.keys.type=pkcs11)\n"));
    }

    @Test
    public void aDeviceWithoutATpmKeepsSoftwareKeysAndTheFirmwareMayAskForThem() throws Exception {
        DeviceImage image = DeviceImage.at(tmp.getRoot().toPath());
        FirmwareConfig.apply(image, Map.of());
        assertTrue(Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.cfg"))
                .contains("ldevidKeyService.target=(avocado.keys.type=soft)\n"));
        assertFalse(Files.exists(image.firmwareConfig().resolve("dev.avocado.keys.pkcs11.cfg")));
        FirmwareConfig.apply(image, Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "device:/dev/tpmrm0",
                "avocado.ldevid.keys", "soft"));
        assertTrue(Files.readString(image.firmwareConfig().resolve("dev.avocado.keys.cfg"))
                .contains("ldevidKeyService.target=(avocado.keys.type=soft)\n"));
        assertFalse("a setting of the last boot does not stay", Files.exists(image.firmwareConfig()
                .resolve("dev.avocado.keys.pkcs11.cfg")));
    }

    @Test
    public void theLdevidKeyServiceIsNotTakenFromTheDataPartitionNorMisspelt() throws Exception {
        DeviceImage image = DeviceImage.at(tmp.getRoot().toPath());
        FirmwareException tpm = assertThrows(FirmwareException.class, () -> FirmwareConfig.apply(image,
                Map.of("avocado.keys", "tpm", "avocado.tpm.tcti", "device:/dev/tpmrm0", "avocado.ldevid.keys", "tpm")));
        assertEquals("avocado.ldevid.keys must be soft or pkcs11, not 'tpm' (EAP-TLS reaches a TPM key only through "
                + "PKCS#11)", tpm.getMessage());
        Path config = Files.createDirectories(image.config());
        Files.writeString(config.resolve("dev.avocado.brski.cfg"), "registrarUrl=https://r.example\n"
                + "ldevidKeyService.target=(avocado.keys.type=soft)\n");
        FirmwareException target = assertThrows(FirmwareException.class, () -> FirmwareConfig.apply(image, Map.of()));
        assertTrue(target.getMessage(), target.getMessage().startsWith("data/config/dev.avocado.brski.cfg: "
                + "ldevidKeyService.target selects a key service, a security setting of the firmware"));
        Files.delete(config.resolve("dev.avocado.brski.cfg"));
        Files.writeString(config.resolve("dev.avocado.keys.pkcs11.cfg"), "module=/tmp/evil.so\n");
        FirmwareException data = assertThrows(FirmwareException.class, () -> FirmwareConfig.apply(image, Map.of()));
        assertTrue(data.getMessage(), data.getMessage().startsWith("data/config/dev.avocado.keys.pkcs11.cfg: "
                + "dev.avocado.keys.pkcs11 is a security setting of the firmware"));
    }
}
