package dev.avocado.protocol.profile;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

public class ProfilesTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Instant FROM = NOW.minus(Duration.ofDays(1));
    private static final Instant TO = NOW.plus(Duration.ofDays(3650));

    private final KeyPair rootKey = KeyPairs.ecP256();
    private final X509Certificate root = MprProfile.issue(rootKey, "CN=Acme Root,O=Acme", "https://factory.acme.test:8443",
            FROM, TO);

    @Test
    public void mprWithUriNamesThatUri() throws Exception {
        assertEquals(URI.create("https://factory.acme.test:8443"), MprProfile.check(List.of(root), NOW, 443));
    }

    @Test
    public void mprWithIpAddressGetsHttpsAndTheDefaultPort() throws Exception {
        X509Certificate ip = MprProfile.issue(rootKey, "CN=Build5", "192.168.1.10", FROM, TO);
        assertEquals(URI.create("https://192.168.1.10:443"), MprProfile.check(List.of(ip), NOW, 443));
        X509Certificate dns = MprProfile.issue(rootKey, "CN=Build5", "factory.acme.test", FROM, TO);
        assertEquals(URI.create("https://factory.acme.test:9443"), MprProfile.check(List.of(dns), NOW, 9443));
    }

    @Test
    public void expiredMprIsRefusedWithItsDate() {
        ProfileException e = assertThrows(ProfileException.class,
                () -> MprProfile.check(List.of(root), TO.plusSeconds(10), 443));
        assertTrue(e.getMessage(), e.getMessage().contains("expired on"));
        assertTrue(e.getMessage(), e.getMessage().contains("Acme Root"));
    }

    @Test
    public void nonCaMprIsRefused() {
        X509Certificate leaf = CertificateBuilder.subject("CN=Not a CA", rootKey.getPublic()).selfSigned(rootKey.getPrivate())
                .validity(FROM, TO).endEntity().subjectAltName(MprProfile.addressName("10.0.0.1")).build();
        ProfileException e = assertThrows(ProfileException.class, () -> MprProfile.check(List.of(leaf), NOW, 443));
        assertTrue(e.getMessage(), e.getMessage().contains("not a CA"));
    }

    @Test
    public void mprWithoutAddressIsRefused() {
        X509Certificate bare = CertificateBuilder.subject("CN=No address", rootKey.getPublic()).selfSigned(rootKey.getPrivate())
                .validity(FROM, TO).ca(-1).keyUsage(KeyUsage.keyCertSign).build();
        ProfileException e = assertThrows(ProfileException.class, () -> MprProfile.check(List.of(bare), NOW, 443));
        assertTrue(e.getMessage(), e.getMessage().contains("names no provisioning address"));
    }

    @Test
    public void mprWithHttpUriIsRefused() {
        X509Certificate http = MprProfile.issue(rootKey, "CN=Plain", "http://factory.acme.test", FROM, TO);
        ProfileException e = assertThrows(ProfileException.class, () -> MprProfile.check(List.of(http), NOW, 443));
        assertTrue(e.getMessage(), e.getMessage().contains("not an https:// URI"));
    }

    @Test
    public void idevidIssuedUnderTheRootIsWellFormed() throws Exception {
        KeyPair caKey = KeyPairs.ecP256();
        X509Certificate ca = CertificateBuilder.subject("CN=Acme IDevID CA", caKey.getPublic()).issuer(root, rootKey.getPrivate())
                .validity(FROM, TO).ca(0).keyUsage(KeyUsage.keyCertSign).build();
        KeyPair device = KeyPairs.ecP256();
        X509Certificate idevid = IdevidProfile.issue(ca, caKey.getPrivate(), null,
                IdevidProfile.subject("Acme", "Acme sensor", "SN-0001"), device.getPublic(), "masa.acme.test:9443", FROM);

        IdevidProfile.Idevid checked = IdevidProfile.check(List.of(idevid, ca), List.of(root), NOW);
        assertEquals("SN-0001", checked.serialNumber());
        assertEquals("masa.acme.test:9443", checked.masaUrl());
        assertEquals(URI.create("https://masa.acme.test:9443/.well-known/brski"), checked.masaBase());
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"), idevid.getNotAfter().toInstant());

        // the chain survives PEM
        List<X509Certificate> read = Pem.readCertificates(Pem.encode(List.of(idevid, ca)).getBytes(StandardCharsets.US_ASCII), "test");
        assertEquals(List.of(idevid, ca), read);

        // under another manufacturer's root it is not well formed
        X509Certificate otherRoot = MprProfile.issue(KeyPairs.ecP256(), "CN=Other Root", "10.0.0.2", FROM, TO);
        ProfileException e = assertThrows(ProfileException.class,
                () -> IdevidProfile.check(List.of(idevid, ca), List.of(otherRoot), NOW));
        assertTrue(e.getMessage(), e.getMessage().contains("does not chain to the manufacturer root"));
    }

    @Test
    public void idevidWithoutMasaUrlOrSerialIsRefused() {
        KeyPair device = KeyPairs.ecP256();
        X509Certificate noMasa = CertificateBuilder.subject(IdevidProfile.subject(null, "x", "SN-2"), device.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(FROM, CertificateBuilder.NO_WELL_DEFINED_EXPIRY).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        ProfileException e = assertThrows(ProfileException.class, () -> IdevidProfile.check(List.of(noMasa), List.of(root), NOW));
        assertTrue(e.getMessage(), e.getMessage().contains("id-pe-masa-url"));

        X509Certificate noSerial = CertificateBuilder.subject("CN=device", device.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(FROM, CertificateBuilder.NO_WELL_DEFINED_EXPIRY).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        e = assertThrows(ProfileException.class, () -> IdevidProfile.check(List.of(noSerial), List.of(root), NOW));
        assertTrue(e.getMessage(), e.getMessage().contains("serialNumber"));
    }

    @Test
    public void serialNumbersAreChecked() throws Exception {
        assertEquals("A1-b2.c3:4_5", IdevidProfile.checkSerial("A1-b2.c3:4_5"));
        assertThrows(ProfileException.class, () -> IdevidProfile.checkSerial("has space"));
        assertThrows(ProfileException.class, () -> IdevidProfile.checkSerial(""));
        assertThrows(ProfileException.class, () -> IdevidProfile.checkSerial("x".repeat(65)));
    }

    @Test
    public void pemWithoutCertificateIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> Pem.readCertificates(
                "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n".getBytes(StandardCharsets.US_ASCII), "mpr.pem"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("mpr.pem: no CERTIFICATE"));
        e = assertThrows(IOException.class, () -> Pem.readCertificates("garbage".getBytes(StandardCharsets.US_ASCII), "mpr.pem"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("mpr.pem: not an X.509 certificate"));
    }
}
