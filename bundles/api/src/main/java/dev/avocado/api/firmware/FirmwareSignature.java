package dev.avocado.api.firmware;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * A detached signature by the firmware signer over a file's bytes: SHA-256 with ECDSA (or RSA
 * PKCS#1 v1.5), DER, as {@code openssl dgst -sha256 -sign KEY -out FILE.sig FILE} makes it and
 * {@code openssl dgst -sha256 -verify PUB -signature FILE.sig FILE} checks it.
 */
public final class FirmwareSignature {

    /** The signature of a file is beside it, with this suffix. */
    public static final String SUFFIX = ".sig";
    /** The firmware signer's certificate, on partition one. */
    public static final String SIGNER = "firmware-signer.pem";
    /**
     * Framework property (set by {@code firmware build --hot-redeploy}, in the signed p1): signed
     * builds dropped into data/deploy replace partition two bundles while the device runs.
     */
    public static final String HOT_REDEPLOY = "avocado.hotRedeploy";

    private FirmwareSignature() {
    }

    /** The signature over {@code data} with the firmware signer's key. */
    public static byte[] sign(byte[] data, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm(key.getAlgorithm()));
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    /**
     * True when {@code signature} is the signer's over {@code data}, false when it is not.
     *
     * @throws GeneralSecurityException when it cannot be checked (a key of another kind, a signature that is no DER)
     */
    public static boolean verify(byte[] data, byte[] signature, PublicKey signer) throws GeneralSecurityException {
        Signature s;
        try {
            s = Signature.getInstance(algorithm(signer.getAlgorithm()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        s.initVerify(signer);
        s.update(data);
        return s.verify(signature);
    }

    /** The firmware signer's certificate of partition one. */
    public static X509Certificate signer(Path p1) throws IOException {
        try (InputStream in = Files.newInputStream(p1.resolve(SIGNER))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(p1.resolve(SIGNER) + " is not a certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The bytes of a file whose detached signature ({@code file.sig}) is the signer's.
     *
     * @throws IOException naming the file and why it is refused
     */
    public static byte[] verified(Path file, PublicKey signer) throws IOException {
        Path sig = file.resolveSibling(file.getFileName() + SUFFIX);
        if (!Files.isRegularFile(sig)) {
            throw new IOException(file.getFileName() + " has no signature " + sig.getFileName()
                    + " by the firmware signer (firmware sign makes one)");
        }
        byte[] data = Files.readAllBytes(file);
        boolean valid;
        try {
            valid = verify(data, Files.readAllBytes(sig), signer);
        } catch (GeneralSecurityException e) {
            throw new IOException(file.getFileName() + ": " + sig.getFileName() + " cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new IOException(file.getFileName() + " is not signed by the firmware signer: " + sig.getFileName()
                    + " does not verify with its key");
        }
        return data;
    }

    static String algorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported firmware key algorithm " + keyAlgorithm);
        };
    }
}
