package dev.avocado.protocol.x509;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Before;
import org.junit.Test;

/**
 * The validator and its memory of accepted paths: what is remembered is what PKIX accepted, and a
 * remembered path is taken again only for the same certificates, the same anchors and an instant at
 * which all of them are valid; BouncyCastle's certificate objects validate as the JDK's do.
 */
public class CertPathsTest {

    private static final Instant NOW = Instant.now();
    private static final KeyPair ROOT_KEY = KeyPairs.ecP256();
    private static final X509Certificate ROOT = ca("CN=Root", ROOT_KEY, null, null, 1);
    private static final KeyPair CA_KEY = KeyPairs.ecP256();
    private static final X509Certificate CA = ca("CN=Issuing CA", CA_KEY, ROOT, ROOT_KEY, 0);
    private static final KeyPair OTHER_KEY = KeyPairs.ecP256();
    private static final X509Certificate OTHER_ROOT = ca("CN=Root", OTHER_KEY, null, null, 1);

    private static X509Certificate ca(String name, KeyPair key, X509Certificate issuer, KeyPair issuerKey, int pathLength) {
        CertificateBuilder b = CertificateBuilder.subject(name, key.getPublic());
        b = issuer == null ? b.selfSigned(key.getPrivate()) : b.issuer(issuer, issuerKey.getPrivate());
        return b.validity(NOW.minus(Duration.ofDays(3650)), NOW.plus(Duration.ofDays(3650))).ca(pathLength)
                .keyUsage(KeyUsage.keyCertSign).build();
    }

    private static X509Certificate leaf(Instant from, Instant to) {
        KeyPair k = KeyPairs.ecP256();
        return CertificateBuilder.subject("CN=Leaf", k.getPublic()).issuer(CA, CA_KEY.getPrivate()).validity(from, to)
                .endEntity().keyUsage(KeyUsage.digitalSignature).build();
    }

    private static X509Certificate bc(X509Certificate c) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509", Bc.PROVIDER)
                .generateCertificate(new ByteArrayInputStream(c.getEncoded()));
    }

    @Before
    public void forget() {
        CertPaths.forget();
    }

    @Test
    public void anAcceptedPathIsRememberedOnceAndTakenAgainInsideItsValidity() throws Exception {
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW);
        assertEquals(1, CertPaths.remembered());
        CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW.plus(Duration.ofDays(29)));
        assertEquals(1, CertPaths.remembered());
    }

    @Test
    public void aRememberedPathIsRefusedAtAnInstantOutsideItsValidity() throws Exception {
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW);
        CertPathValidatorException late = assertThrows(CertPathValidatorException.class,
                () -> CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW.plus(Duration.ofDays(31))));
        assertTrue(late.getMessage(), late.getMessage().contains("expired"));
        assertThrows(CertPathValidatorException.class,
                () -> CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW.minus(Duration.ofDays(2))));
    }

    @Test
    public void aRememberedPathIsNotTakenForOtherAnchors() throws Exception {
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW);
        // the same subject name, another key: the path does not validate to it
        assertThrows(CertPathValidatorException.class,
                () -> CertPaths.validate(leaf, List.of(CA), List.of(OTHER_ROOT), NOW));
        assertNotEquals(ValidatedPaths.key(List.of(leaf, CA), List.of(ROOT)),
                ValidatedPaths.key(List.of(leaf, CA), List.of(OTHER_ROOT)));
        assertNotEquals(ValidatedPaths.key(List.of(leaf, CA), List.of(ROOT)),
                ValidatedPaths.key(List.of(leaf), List.of(CA, ROOT)));
    }

    @Test
    public void aRefusedPathIsNotRemembered() {
        X509Certificate expired = leaf(NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(30)));
        assertThrows(CertPathValidatorException.class, () -> CertPaths.validate(expired, List.of(CA), List.of(ROOT), NOW));
        assertEquals(0, CertPaths.remembered());
    }

    @Test
    public void aLeafWhoseSignatureIsNotTheIssuersIsRefusedThoughItsIssuerIsRemembered() throws Exception {
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        CertPaths.validate(leaf, List.of(CA), List.of(ROOT), NOW);
        KeyPair k = KeyPairs.ecP256();
        X509Certificate forged = CertificateBuilder.subject("CN=Leaf", k.getPublic()).issuer(CA, OTHER_KEY.getPrivate())
                .validity(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        assertThrows(CertPathValidatorException.class, () -> CertPaths.validate(forged, List.of(CA), List.of(ROOT), NOW));
    }

    @Test
    public void bouncyCastleCertificateObjectsValidateAsTheSamePath() throws Exception {
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        X509Certificate bcLeaf = bc(leaf);
        assertTrue(bcLeaf.getClass().getName(), bcLeaf.getClass().getName().startsWith("org.bouncycastle."));
        CertPaths.validate(bcLeaf, List.of(bc(CA)), List.of(ROOT), NOW);
        CertPaths.validate(leaf, List.of(CA), List.of(bc(ROOT)), NOW);
        assertEquals(1, CertPaths.remembered());
        assertTrue(CertPaths.issuedUnder(List.of(bcLeaf, bc(CA)), List.of(ROOT)));
    }
}
