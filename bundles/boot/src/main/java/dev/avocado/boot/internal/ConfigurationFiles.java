package dev.avocado.boot.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Which configuration files FileInstall has not yet handed to Config Admin. */
final class ConfigurationFiles {

    private ConfigurationFiles() {
    }

    /** The *.cfg files of the folders that Config Admin has no configuration of yet (by FileInstall's filename). */
    static Set<String> pending(ConfigurationAdmin configurationAdmin, List<Path> folders) {
        Set<String> pending = new TreeSet<>();
        try {
            for (Path folder : folders) {
                if (!Files.isDirectory(folder)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.cfg")) {
                    for (Path f : files) {
                        pending.add(f.toAbsolutePath().toFile().toURI().toString());
                    }
                }
            }
            Configuration[] loaded = configurationAdmin.listConfigurations(null);
            if (loaded != null) {
                for (Configuration c : loaded) {
                    Object file = c.getProperties() == null ? null : c.getProperties().get("felix.fileinstall.filename");
                    if (file != null) {
                        pending.remove(file.toString());
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            pending.clear(); // no configuration folder: nothing to wait for
        }
        return pending;
    }
}
