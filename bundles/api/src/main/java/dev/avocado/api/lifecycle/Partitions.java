package dev.avocado.api.lifecycle;

import java.nio.file.Path;
import org.osgi.framework.BundleContext;

/**
 * Where the device's partitions are: the launcher sets these framework properties, and every bundle
 * finds its default folders from them (a configured folder wins).
 */
public final class Partitions {

    /** Framework property: the image root (the folder of p1, p2 and data). */
    public static final String IMAGE = "avocado.image";
    /** Framework property: partition one, the read-only firmware. */
    public static final String P1 = "avocado.p1";
    /** Framework property: partition two, the onboarding bundles. */
    public static final String P2 = "avocado.p2";
    /** Framework property: the writable data partition. */
    public static final String DATA = "avocado.data";

    private Partitions() {
    }

    /**
     * The configured folder if there is one, else {@code child} on the partition named by the framework
     * property {@code partition} (relative to the working folder when the property is unset).
     */
    public static Path folder(BundleContext context, String configured, String partition, String child) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        String base = context.getProperty(partition);
        Path root = base != null ? Path.of(base) : Path.of(partition.substring(partition.indexOf('.') + 1));
        return root.resolve(child).toAbsolutePath().normalize();
    }
}
