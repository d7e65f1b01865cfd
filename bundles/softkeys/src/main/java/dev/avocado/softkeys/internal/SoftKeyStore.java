package dev.avocado.softkeys.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;

/** The key files: one PKCS#8 PEM file per alias, owner-only, in an owner-only folder. */
final class SoftKeyStore {

    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String SUFFIX = ".p8";

    private final Path folder;

    SoftKeyStore(Path folder) {
        this.folder = folder;
    }

    Path folder() {
        return folder;
    }

    /** The folder is there and writable, or can be made. */
    void check() throws KeyServiceException {
        try {
            AtomicFiles.folder(folder, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new KeyServiceException("key folder " + folder + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isWritable(folder)) {
            throw new KeyServiceException("key folder " + folder + " is not writable");
        }
    }

    DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        Path file = file(alias);
        if (algorithm != KeyAlgorithm.EC_P256) {
            throw new KeyServiceException("software keys support EC_P256 only, not " + algorithm + " (key " + alias + ")");
        }
        KeyPair pair;
        try {
            pair = KeyPairs.ecP256();
        } catch (IllegalStateException e) {
            throw new KeyServiceException("cannot generate key " + alias + ": " + e.getMessage(), e);
        }
        try {
            AtomicFiles.folder(folder, PosixFilePermissions.fromString("rwx------"));
            AtomicFiles.writeNew(file, Pem.encode(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII),
                    AtomicFiles.OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw new KeyServiceException("key " + alias + " exists already (" + file + ")");
        } catch (IOException e) {
            throw new KeyServiceException("cannot write key " + alias + " to " + file + ": " + e.getMessage(), e);
        }
        return new SoftKey(alias, algorithm, pair.getPublic(), "file:" + file, pair.getPrivate());
    }

    Optional<DeviceKey> find(String alias) throws KeyServiceException {
        Path file = file(alias);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        PrivateKey key;
        try {
            key = Pem.readPrivateKey(file);
        } catch (IOException e) {
            throw new KeyServiceException("key " + alias + " in " + file + " is unreadable: " + e.getMessage(), e);
        }
        if (!(key instanceof ECPrivateKey ec)) {
            throw new KeyServiceException("key " + alias + " in " + file + " is not an EC key");
        }
        return Optional.of(new SoftKey(alias, KeyAlgorithm.EC_P256, publicOf(ec), "file:" + file, key));
    }

    void destroy(String alias) throws KeyServiceException {
        Path file = file(alias);
        try {
            AtomicFiles.delete(file);
        } catch (IOException e) {
            throw new KeyServiceException("cannot delete key " + alias + " (" + file + "): " + e.getMessage(), e);
        }
    }

    List<DeviceKey> list() throws KeyServiceException {
        List<DeviceKey> keys = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return keys;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                find(name.substring(0, name.length() - SUFFIX.length())).ifPresent(keys::add);
            }
        } catch (IOException e) {
            throw new KeyServiceException("cannot list keys in " + folder + ": " + e.getMessage(), e);
        }
        keys.sort((a, b) -> a.alias().compareTo(b.alias()));
        return keys;
    }

    byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        DeviceKey key = find(alias).orElseThrow(() -> new KeyServiceException("no key " + alias + " in " + folder));
        if (!scheme.fits(key.algorithm())) {
            throw new KeyServiceException("key " + alias + " (" + key.algorithm() + ") cannot sign with " + scheme);
        }
        if (digest.length != scheme.digestLength()) {
            throw new KeyServiceException("a " + scheme + " digest has " + scheme.digestLength() + " bytes, not "
                    + digest.length);
        }
        try {
            Signature s = Signature.getInstance("NONEwithECDSA", Bc.PROVIDER);
            s.initSign(key.privateKey());
            s.update(digest);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("signing with key " + alias + " failed: " + e.getMessage(), e);
        }
    }

    private Path file(String alias) throws KeyServiceException {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new KeyServiceException("key alias '" + alias + "' is not 1 to 64 of a-z 0-9 . _ -");
        }
        return folder.resolve(alias + SUFFIX);
    }

    /** The public point of a P-256 private key: Q = d * G. */
    private static PublicKey publicOf(ECPrivateKey key) throws KeyServiceException {
        try {
            ECNamedCurveParameterSpec p256 = ECNamedCurveTable.getParameterSpec("secp256r1");
            ECPublicKeySpec spec = new ECPublicKeySpec(p256.getG().multiply(key.getS()).normalize(), p256);
            return KeyFactory.getInstance("EC", Bc.PROVIDER).generatePublic(spec);
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot derive the public key: " + e.getMessage(), e);
        }
    }
}
