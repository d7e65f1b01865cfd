package dev.avocado.protocol.x509;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/**
 * A device whose clock is behind: what it refuses (a certificate that expired before its now) and what
 * it takes (a certificate whose notBefore is after its now), against the same certificates checked by a
 * server's {@link CheckTime#system()}.
 */
public class CheckTimeTest {

    private static final Instant NOW = Instant.now();
    private static final KeyPair ROOT_KEY = KeyPairs.ecP256();
    private static final X509Certificate ROOT = CertificateBuilder.subject("CN=Root", ROOT_KEY.getPublic())
            .selfSigned(ROOT_KEY.getPrivate()).validity(NOW.minus(Duration.ofDays(3650)), NOW.plus(Duration.ofDays(3650))).ca(1)
            .keyUsage(KeyUsage.keyCertSign).build();

    private static X509Certificate leaf(Instant from, Instant to) {
        KeyPair k = KeyPairs.ecP256();
        return CertificateBuilder.subject("CN=Leaf", k.getPublic()).issuer(ROOT, ROOT_KEY.getPrivate()).validity(from, to)
                .endEntity().keyUsage(KeyUsage.digitalSignature).build();
    }

    @Test
    public void aDeviceTakesACertificateIssuedAfterItsClockThatAServerCallsNotYetValid() throws Exception {
        X509Certificate fresh = leaf(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        CheckTime device = CheckTime.atLeast(() -> NOW);
        assertEquals(fresh.getNotBefore().toInstant(), device.at(List.of(fresh, ROOT)));
        CertPaths.validate(fresh, List.of(), List.of(ROOT), device.at(List.of(fresh)));
        assertThrows(CertPathValidatorException.class,
                () -> CertPaths.validate(fresh, List.of(), List.of(ROOT), CheckTime.system().at(List.of(fresh))));
    }

    @Test
    public void aCertificateThatExpiredBeforeTheDevicesNowIsRefusedWhateverItsNotBefore() {
        X509Certificate stale = leaf(NOW.minus(Duration.ofDays(730)), NOW.minus(Duration.ofDays(365)));
        CheckTime device = CheckTime.atLeast(() -> NOW);
        assertEquals(NOW, device.at(List.of(stale)));
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> CertPaths.validate(stale, List.of(), List.of(ROOT), device.at(List.of(stale))));
        assertTrue(e.getMessage(), e.getMessage().contains("expired"));
    }

    @Test
    public void certificatesWhoseValidityNeverOverlapsAfterNowAreRefused() {
        // valid until tomorrow, but checked with a certificate that starts next week: no time after now
        // when both are valid, so the device refuses the pair
        X509Certificate ending = leaf(NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(1)));
        X509Certificate later = leaf(NOW.plus(Duration.ofDays(7)), NOW.plus(Duration.ofDays(30)));
        Instant at = CheckTime.atLeast(() -> NOW).at(List.of(ending, later));
        assertEquals(later.getNotBefore().toInstant(), at);
        assertThrows(CertPathValidatorException.class, () -> CertPaths.validate(ending, List.of(), List.of(ROOT), at));
    }

    @Test
    public void aCertificateOutsideThePathDoesNotMoveTheInstant() throws Exception {
        // a peer adds a certificate that starts after the leaf expires: only the path counts
        X509Certificate leaf = leaf(NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(1)));
        X509Certificate stranger = CertificateBuilder.subject("CN=Stranger", KeyPairs.ecP256().getPublic())
                .selfSigned(KeyPairs.ecP256().getPrivate()).validity(NOW.plus(Duration.ofDays(7)), NOW.plus(Duration.ofDays(30)))
                .endEntity().build();
        CheckTime device = CheckTime.atLeast(() -> NOW);
        Instant at = device.at(leaf, List.of(leaf, stranger), List.of(ROOT));
        assertEquals(NOW, at);
        CertPaths.validate(leaf, List.of(leaf, stranger), List.of(ROOT), at);
    }

    @Test
    public void nowWithoutCertificatesIsTheSuppliedNow() {
        Instant floor = NOW.plus(Duration.ofDays(100));
        assertEquals(floor, CheckTime.atLeast(() -> floor).now());
        assertEquals(floor, CheckTime.fixed(floor).at(List.of(ROOT)));
    }
}
