package dev.avocado.tools;

import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The PKI folder that {@code pki init} writes: one subfolder per party, a certificate and a PKCS#8
 * key (owner-only) per credential. Later parties (IDevID CA, factory TLS, MASA, owner domain) add
 * their credentials here.
 */
public final class Pki {

    /** A certificate with its private key, as two files {@code NAME.pem} and {@code NAME.key}. */
    public record Credential(X509Certificate certificate, PrivateKey key) {
    }

    public static final String MANUFACTURER = "manufacturer";
    public static final String ROOT = "root";
    public static final String FIRMWARE_SIGNER = "firmware-signer";
    /** The file that goes onto partition one as the MPR. */
    public static final String MPR_FILE = "mpr.pem";

    private final Path folder;

    public Pki(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    public Path mpr() {
        return folder.resolve(MANUFACTURER).resolve(MPR_FILE);
    }

    /** Creates the manufacturer root (the MPR) and the firmware signing credential. */
    public void init(String manufacturer, String provisioningAddress) throws IOException {
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "O=" + manufacturer + ",CN=" + manufacturer + " Root CA",
                provisioningAddress, now, now.plus(Duration.ofDays(25 * 365)));
        save(MANUFACTURER, ROOT, new Credential(root, rootKey.getPrivate()));
        AtomicFiles.write(mpr(), Pem.encode(root).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);

        KeyPair fwKey = KeyPairs.ecP256();
        X509Certificate fw = CertificateBuilder.subject("O=" + manufacturer + ",CN=" + manufacturer + " Firmware Signing",
                        fwKey.getPublic())
                .issuer(root, rootKey.getPrivate())
                .validity(now, now.plus(Duration.ofDays(10 * 365)))
                .endEntity()
                .keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(KeyPurposeId.id_kp_codeSigning)
                .build();
        save(MANUFACTURER, FIRMWARE_SIGNER, new Credential(fw, fwKey.getPrivate()));
    }

    public void save(String party, String name, Credential credential) throws IOException {
        Path dir = AtomicFiles.folder(folder.resolve(party), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        AtomicFiles.write(dir.resolve(name + ".pem"), Pem.encode(credential.certificate()).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC);
        AtomicFiles.write(dir.resolve(name + ".key"), Pem.encode(credential.key()).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.OWNER_ONLY);
    }

    public Credential load(String party, String name) throws IOException {
        Path cert = folder.resolve(party).resolve(name + ".pem");
        Path key = folder.resolve(party).resolve(name + ".key");
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            throw new IOException(folder + " is not a PKI made by 'pki init': " + folder.relativize(
                    Files.isRegularFile(cert) ? key : cert) + " is missing");
        }
        List<X509Certificate> certs = Pem.readCertificates(cert);
        return new Credential(certs.get(0), Pem.readPrivateKey(key));
    }

    public boolean exists() {
        return Files.isRegularFile(folder.resolve(MANUFACTURER).resolve(ROOT + ".pem"));
    }
}
