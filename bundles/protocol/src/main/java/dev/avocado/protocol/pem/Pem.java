package dev.avocado.protocol.pem;

import dev.avocado.protocol.x509.Bc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM (RFC 7468) encoding of certificates and PKCS#8 private keys. */
public final class Pem {

    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";

    private Pem() {
    }

    /**
     * Reads the certificates of a file, PEM (one or more) or a single DER certificate.
     *
     * @throws NoSuchFileException if the file is missing
     * @throws IOException whose message names the file and the problem if it holds no certificate
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return readCertificates(Files.readAllBytes(file), file.toString());
    }

    /** Reads the certificates of PEM or DER bytes; {@code source} names them in errors. */
    public static List<X509Certificate> readCertificates(byte[] data, String source) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        if (looksLikePem(data)) {
            for (PemObject o : pemObjects(data, source)) {
                if (CERTIFICATE.equals(o.getType())) {
                    certs.add(parseDer(o.getContent(), source));
                }
            }
            if (certs.isEmpty()) {
                throw new IOException(source + ": no CERTIFICATE in the PEM data");
            }
        } else {
            if (data.length == 0) {
                throw new IOException(source + ": file is empty");
            }
            certs.add(parseDer(data, source));
        }
        return certs;
    }

    /** Reads one PKCS#8 private key, PEM or DER. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        byte[] der = data;
        if (looksLikePem(data)) {
            der = null;
            for (PemObject o : pemObjects(data, file.toString())) {
                if (PRIVATE_KEY.equals(o.getType())) {
                    der = o.getContent();
                    break;
                }
            }
            if (der == null) {
                throw new IOException(file + ": no PRIVATE KEY (PKCS#8) in the PEM data");
            }
        }
        return privateKey(der, file.toString());
    }

    /**
     * Decodes a PKCS#8 private key (EC or RSA) into a BouncyCastle key object: the servers sign with
     * BouncyCastle (certificates, CMS, BCJSSE), which uses a key object of another provider only after
     * translating it at every signature (a third of its speed, measured in docs/performance.md).
     */
    public static PrivateKey privateKey(byte[] pkcs8, String source) throws IOException {
        try {
            String oid = PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getAlgorithm().getId();
            String algorithm = switch (oid) {
                case "1.2.840.10045.2.1" -> "EC";
                case "1.2.840.113549.1.1.1" -> "RSA";
                default -> throw new IOException(source + ": unsupported private key algorithm " + oid);
            };
            return KeyFactory.getInstance(algorithm, Bc.PROVIDER).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(source + ": not a PKCS#8 private key (" + e.getMessage() + ")", e);
        }
    }

    public static String encode(Collection<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            for (X509Certificate c : certificates) {
                w.writeObject(new PemObject(CERTIFICATE, c.getEncoded()));
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
        return out.toString();
    }

    public static String encode(X509Certificate certificate) {
        return encode(List.of(certificate));
    }

    public static String encode(PrivateKey key) {
        return encode(PRIVATE_KEY, key.getEncoded());
    }

    public static String encode(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type, e);
        }
        return out.toString();
    }

    public static X509Certificate parseDer(byte[] der, String source) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new IOException(source + ": not an X.509 certificate (" + e.getMessage() + ")", e);
        }
    }

    private static boolean looksLikePem(byte[] data) {
        String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN ");
    }

    private static List<PemObject> pemObjects(byte[] data, String source) throws IOException {
        List<PemObject> objects = new ArrayList<>();
        try (PemReader r = new PemReader(new StringReader(new String(data, StandardCharsets.US_ASCII)))) {
            PemObject o;
            while ((o = r.readPemObject()) != null) {
                objects.add(o);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(source + ": malformed PEM (" + e.getMessage() + ")", e);
        }
        return objects;
    }
}
