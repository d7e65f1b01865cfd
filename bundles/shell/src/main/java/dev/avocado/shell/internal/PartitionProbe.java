package dev.avocado.shell.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a partition is on this device: its file system, whether it is mounted read-only, and whether a
 * write really fails there (a probe file created and removed at once), so that "read-only" is shown,
 * not assumed from permission bits that root ignores.
 */
final class PartitionProbe {

    private PartitionProbe() {
    }

    /** One line: {@code NAME PATH: TYPE (DEVICE, SIZE MiB), mounted read-only|read-write, a write fails: REASON|a write succeeds}. */
    static String describe(String name, Path folder) {
        StringBuilder b = new StringBuilder(String.format("%-5s %s: ", name, folder));
        if (!Files.isDirectory(folder)) {
            return b.append("no such folder").toString();
        }
        try {
            FileStore store = Files.getFileStore(folder);
            b.append(store.type()).append(" (").append(store.name()).append(", ")
                    .append(store.getTotalSpace() / (1024 * 1024)).append(" MiB), mounted ")
                    .append(store.isReadOnly() ? "read-only" : "read-write");
        } catch (IOException e) {
            b.append("file system unknown (").append(e.getMessage()).append(')');
        }
        return b.append(", ").append(write(folder)).toString();
    }

    private static String write(Path folder) {
        Path probe = null;
        try {
            probe = Files.createTempFile(folder, ".write-probe", null);
            return "a write succeeds";
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains(":")
                    ? e.getMessage().substring(e.getMessage().lastIndexOf(':') + 1).trim() : String.valueOf(e.getMessage());
            return "a write fails: " + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    ? f.getReason() : why);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    // the probe stays; it is empty
                }
            }
        }
    }
}
