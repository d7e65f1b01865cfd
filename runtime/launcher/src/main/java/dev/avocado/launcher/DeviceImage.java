package dev.avocado.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The three partitions of a device image: {@code p1} (read-only firmware: MPR, launcher, boot bundles,
 * signed manifest), {@code p2} (onboarding bundles), {@code data} (identity, keys, configuration,
 * Felix cache, logs). On a Raspberry Pi each is a mount point; here they are folders.
 */
public record DeviceImage(Path root, Path p1, Path p2, Path data) {

    /** Partition one's list of bundles, in start order, one path relative to p1 per line. */
    public static final String BUNDLE_LIST = "bundles.list";
    /** Framework properties the firmware sets (signed with the rest of p1); only avocado.* names. */
    public static final String FIRMWARE_PROPERTIES = "firmware.properties";

    public static DeviceImage at(Path root) {
        Path r = root.toAbsolutePath().normalize();
        return new DeviceImage(r, r.resolve("p1"), r.resolve("p2"), r.resolve("data"));
    }

    /** @throws FirmwareException if the folder is not a device image */
    public DeviceImage check() throws FirmwareException {
        if (!Files.isDirectory(root)) {
            throw new FirmwareException(root + " is not a device image: no such folder");
        }
        if (!Files.isDirectory(p1) || !Files.isRegularFile(p1.resolve(FirmwareManifest.MANIFEST))) {
            throw new FirmwareException(root + " is not a device image: no p1/" + FirmwareManifest.MANIFEST
                    + " (build one with: tools/avocado firmware build --pki DIR --out IMAGE)");
        }
        if (!Files.isRegularFile(p1.resolve(BUNDLE_LIST))) {
            throw new FirmwareException(root + " is not a device image: no p1/" + BUNDLE_LIST);
        }
        return this;
    }

    /** The partition one bundles in start order. */
    public List<Path> bundles() throws IOException {
        List<Path> result = new ArrayList<>();
        for (String line : Files.readAllLines(p1.resolve(BUNDLE_LIST))) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                result.add(p1.resolve(l));
            }
        }
        return result;
    }

    /** The avocado.* properties of p1/firmware.properties, empty when the firmware has none. */
    public java.util.Map<String, String> firmwareProperties() throws IOException {
        java.util.Map<String, String> result = new java.util.TreeMap<>();
        Path file = p1.resolve(FIRMWARE_PROPERTIES);
        if (Files.isRegularFile(file)) {
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("avocado.")) {
                    result.put(name, p.getProperty(name));
                }
            }
        }
        return result;
    }

    public Path cache() {
        return data.resolve("felix-cache");
    }

    public Path config() {
        return data.resolve("config");
    }

    /** The firmware's security settings as Config Admin files, written by the launcher at each boot. */
    public Path firmwareConfig() {
        return data.resolve("firmware-config");
    }

    public Path deploy() {
        return data.resolve("deploy");
    }

    public Path configAdmin() {
        return data.resolve("cm");
    }
}
