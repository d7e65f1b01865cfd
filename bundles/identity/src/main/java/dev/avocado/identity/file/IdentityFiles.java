package dev.avocado.identity.file;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.DeviceIdentity.Kind;
import dev.avocado.api.identity.IdentityException;
import dev.avocado.api.keys.KeyService;
import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The identity folder: {@code idevid.pem} and {@code ldevid.pem} (certificate chains), and small
 * attribute files beside them named {@code <kind>.<name>}.
 */
final class IdentityFiles {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final String KEY_ALIAS = "key-alias";

    private final Path folder;

    IdentityFiles(Path folder) {
        this.folder = folder;
    }

    Path folder() {
        return folder;
    }

    Optional<DeviceIdentity> read(Kind kind) throws IdentityException {
        Path file = certFile(kind);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            List<X509Certificate> chain = Pem.readCertificates(file);
            String alias = attribute(kind, KEY_ALIAS).orElse(defaultAlias(kind));
            return Optional.of(new DeviceIdentity(kind, chain, alias, file.toString()));
        } catch (IOException e) {
            throw new IdentityException(label(kind) + " file " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    DeviceIdentity save(Kind kind, List<X509Certificate> chain, String keyAlias, boolean writeOnce)
            throws IdentityException {
        if (chain.isEmpty()) {
            throw new IdentityException(label(kind) + " chain is empty");
        }
        Path file = certFile(kind);
        try {
            AtomicFiles.folder(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            // the alias first: a crash before the certificate leaves a harmless attribute, never a
            // certificate that names no key
            saveAttribute(kind, KEY_ALIAS, keyAlias);
            byte[] pem = Pem.encode(chain).getBytes(StandardCharsets.US_ASCII);
            if (writeOnce) {
                AtomicFiles.writeNew(file, pem, AtomicFiles.PUBLIC);
            } else {
                AtomicFiles.write(file, pem, AtomicFiles.PUBLIC);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IdentityException(label(kind) + " exists already at " + file + "; only a wipe removes it");
        } catch (IOException e) {
            throw new IdentityException("cannot save " + label(kind) + " to " + file + ": " + e.getMessage(), e);
        }
        return new DeviceIdentity(kind, chain, keyAlias, file.toString());
    }

    Optional<String> attribute(Kind kind, String name) throws IdentityException {
        Path file = attributeFile(kind, name);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            throw new IdentityException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    void saveAttribute(Kind kind, String name, String value) throws IdentityException {
        Path file = attributeFile(kind, name);
        try {
            AtomicFiles.write(file, (value + "\n").getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
        } catch (IOException e) {
            throw new IdentityException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the certificate first, then its attributes, so no attribute outlives a present certificate. */
    void delete(Kind kind) throws IdentityException {
        String prefix = kind.name().toLowerCase(Locale.ROOT) + ".";
        try {
            AtomicFiles.delete(certFile(kind));
            if (Files.isDirectory(folder)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, prefix + "*")) {
                    for (Path f : files) {
                        AtomicFiles.delete(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new IdentityException("cannot delete " + label(kind) + " in " + folder + ": " + e.getMessage(), e);
        }
    }

    private Path certFile(Kind kind) {
        return folder.resolve(kind.name().toLowerCase(Locale.ROOT) + ".pem");
    }

    private Path attributeFile(Kind kind, String name) throws IdentityException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IdentityException("attribute name '" + name + "' is not 1 to 32 of a-z 0-9 -");
        }
        return folder.resolve(kind.name().toLowerCase(Locale.ROOT) + "." + name);
    }

    static String label(Kind kind) {
        return kind == Kind.IDEVID ? "IDevID" : "LDevID";
    }

    private static String defaultAlias(Kind kind) {
        return kind == Kind.IDEVID ? KeyService.IDEVID : KeyService.LDEVID;
    }
}
