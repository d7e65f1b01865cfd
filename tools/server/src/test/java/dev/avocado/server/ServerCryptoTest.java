package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.protocol.x509.Signatures;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The servers' signature provider (Conscrypt): what it checks faster it checks the same, and what it
 * cannot check (RSASSA-PSS, which a peer may use) BouncyCastle checks instead of a refusal.
 */
public class ServerCryptoTest {

    @BeforeClass
    public static void install() {
        assertEquals("Conscrypt", ServerCrypto.install().getName());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", Bc.PROVIDER);
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static PKCS10CertificationRequest csr(KeyPair key, String algorithm, String serial) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=" + serial), key.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).setProvider(Bc.PROVIDER).build(key.getPrivate()));
    }

    @Test
    public void anRsaPssCsrIsCheckedByBouncyCastleAndAccepted() throws Exception {
        KeyPair key = rsa();
        PKCS10CertificationRequest pss = csr(key, "SHA256withRSAandMGF1", "PSS-1");
        assertEquals(Bc.PROVIDER, Signatures.forAlgorithm(pss.getSignatureAlgorithm()));
        assertEquals("PSS-1", CsrPolicy.check(pss).serial());
        // an ECDSA CSR goes to Conscrypt, and a forged one is refused there
        KeyPair ec = KeyPairs.ecP256();
        PKCS10CertificationRequest good = csr(ec, "SHA256withECDSA", "EC-1");
        assertEquals("Conscrypt", Signatures.forAlgorithm(good.getSignatureAlgorithm()).getName());
        assertEquals("EC-1", CsrPolicy.check(good).serial());
        PKCS10CertificationRequest forged = new PKCS10CertificationRequest(new org.bouncycastle.asn1.pkcs.CertificationRequest(
                good.toASN1Structure().getCertificationRequestInfo(), good.getSignatureAlgorithm(),
                csr(KeyPairs.ecP256(), "SHA256withECDSA", "EC-1").toASN1Structure().getSignature()));
        Rejection r = assertThrows(Rejection.class, () -> CsrPolicy.check(forged));
        assertTrue(r.getMessage(), r.getMessage().contains("does not verify"));
    }

    @Test
    public void aCertificateSignedWithRsaPssValidatesThoughConscryptHasNoSuchAlgorithm() throws Exception {
        Instant now = Instant.now();
        KeyPair rootKey = rsa();
        X509Certificate root = CertificateBuilder.subject("CN=PSS Root", rootKey.getPublic()).selfSigned(rootKey.getPrivate())
                .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).ca(0).keyUsage(KeyUsage.keyCertSign).build();
        KeyPair leafKey = KeyPairs.ecP256();
        X509Certificate pssLeaf = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(root, java.math.BigInteger.TEN,
                        java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(1))),
                        new javax.security.auth.x500.X500Principal("CN=PSS Leaf"), leafKey.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withRSAandMGF1").setProvider(Bc.PROVIDER)
                                .build(rootKey.getPrivate())));
        CertPaths.validate(pssLeaf, List.of(), List.of(root), now);
        // and a leaf that is not the root's is refused by both
        KeyPair other = rsa();
        X509Certificate otherRoot = CertificateBuilder.subject("CN=PSS Root", other.getPublic()).selfSigned(other.getPrivate())
                .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).ca(0).keyUsage(KeyUsage.keyCertSign).build();
        assertThrows(CertPathValidatorException.class, () -> CertPaths.validate(pssLeaf, List.of(), List.of(otherRoot), now));
    }
}
