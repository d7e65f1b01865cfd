package dev.avocado.tools;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is: tools/avocado passes it as the system property avocado.home. */
final class Home {

    private Home() {
    }

    static Path root() {
        String home = System.getProperty("avocado.home");
        if (home == null) {
            throw new IllegalStateException("avocado.home is not set: run the tools through tools/avocado");
        }
        return Path.of(home).toAbsolutePath().normalize();
    }

    /** The assembled partitions (built by the partitions module). */
    static Path partitions() {
        Path p = root().resolve("partitions").resolve("target");
        if (!Files.isDirectory(p.resolve("p1"))) {
            throw new IllegalStateException(p + " has no p1: build first (tools/avocado builds on first use, "
                    + "or run: mvn -DskipTests install)");
        }
        return p;
    }
}
