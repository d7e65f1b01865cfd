package dev.avocado.launcher;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.felix.framework.util.manifestparser.ManifestParser;

/**
 * The API package the launcher shares with the bundles: the system bundle exports
 * {@code dev.avocado.api.lifecycle} at the version the API bundle's manifest gives it, so a bundle that
 * imports it gets the launcher's classes, and the launcher follows the device through typed calls.
 */
final class SharedApi {

    static final String PACKAGE = DeviceLifecycle.class.getPackageName();

    private SharedApi() {
    }

    /**
     * The PKCS#11 wrapper's packages (xipki's, and the IAIK layer under it), from the launcher's class path:
     * a JVM links a JNI library to one class loader, so the wrapper must not be loaded again by a bundle's
     * class loader after the framework restarts (a reboot after a wipe). p1.bndrun's -runsystempackages
     * lists the same.
     */
    static final String PKCS11_WRAPPER = "org.xipki.pkcs11.wrapper;version=\"1.0.9\","
            + "org.xipki.pkcs11.wrapper.attrs;version=\"1.0.9\",org.xipki.pkcs11.wrapper.params;version=\"1.0.9\","
            + "iaik.pkcs.pkcs11.wrapper;version=\"1.6.8\"";

    /** The {@code org.osgi.framework.system.packages.extra} clause: the package at its exported version. */
    static String systemPackagesExtra() throws IOException {
        return PACKAGE + ";version=\"" + exportedVersion(exportPackage(), PACKAGE) + "\"," + PKCS11_WRAPPER;
    }

    /** The version of {@code pkg} in an Export-Package header (Felix's own splitter: quoted commas stay). */
    static String exportedVersion(String exportPackage, String pkg) throws IOException {
        if (exportPackage != null) {
            for (String clause : ManifestParser.parseDelimitedString(exportPackage, ",")) {
                List<String> parts = ManifestParser.parseDelimitedString(clause, ";");
                if (!parts.get(0).trim().equals(pkg)) {
                    continue;
                }
                for (String p : parts.subList(1, parts.size())) {
                    String a = p.trim();
                    if (a.startsWith("version=")) {
                        return a.substring("version=".length()).replace("\"", "").trim();
                    }
                }
                throw new IOException("the API bundle exports " + pkg + " without a version");
            }
        }
        throw new IOException("the API bundle on the launcher's class path does not export " + pkg);
    }

    /** Export-Package of the API bundle the launcher was started with (a jar, or a build's class folder). */
    private static String exportPackage() throws IOException {
        Path where;
        try {
            where = Path.of(DeviceLifecycle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("the API bundle's location is unknown: " + e.getMessage(), e);
        }
        if (Files.isDirectory(where)) {
            try (InputStream in = Files.newInputStream(where.resolve(JarFile.MANIFEST_NAME))) {
                return new Manifest(in).getMainAttributes().getValue("Export-Package");
            }
        }
        try (JarFile jar = new JarFile(where.toFile())) {
            Manifest m = jar.getManifest();
            return m == null ? null : m.getMainAttributes().getValue("Export-Package");
        }
    }
}
