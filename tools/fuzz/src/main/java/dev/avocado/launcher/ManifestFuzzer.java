package dev.avocado.launcher;

/**
 * Partition one's MANIFEST.sha256 as the launcher reads it at every boot (in the launcher's package:
 * its parser is the launcher's own). Someone who writes the SD card while the device is off controls
 * these bytes until the signature check.
 */
public final class ManifestFuzzer {

    private ManifestFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            FirmwareManifest.parse(data);
        } catch (FirmwareException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new IllegalStateException("a refusal without a message", expected);
            }
        }
    }
}
