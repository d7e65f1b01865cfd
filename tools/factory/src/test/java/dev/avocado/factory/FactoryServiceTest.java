package dev.avocado.factory;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.dpp.DppUri;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The factory service on real TLS with an embedded H2 database: enrollment, the CSR policy, records. */
public class FactoryServiceTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Pki pki;
    private X509Certificate root;
    private String db;
    private FactoryService service;
    private HttpClient http;

    @Before
    public void start() throws Exception {
        pki = new Pki(tmp.newFolder("pki").toPath());
        pki.init("Acme", "https://127.0.0.1:8443", "masa.acme.test:8444");
        root = pki.root();
        db = "jdbc:h2:file:" + tmp.getRoot().toPath().resolve("db/factory");
        service = start(false, List.of());
        http = Clients.client(root, null);
    }

    private FactoryService start(boolean allowlist, List<X509Certificate> stations) throws Exception {
        return FactoryService.start(pki, db, new FactoryService.Settings("127.0.0.1", 0, "masa.acme.test:8444", allowlist, stations));
    }

    @After
    public void stop() throws Exception {
        service.close();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + service.port() + path);
    }

    private HttpResponse<byte[]> enroll(String subject, KeyPair key) throws Exception {
        return Clients.post(http, uri(Est.SIMPLEENROLL), Est.PKCS10, Clients.enrollBody(subject, key));
    }

    private int rows() throws Exception {
        try (FactoryService.Admin admin = FactoryService.admin(db)) {
            return admin.devices().size();
        }
    }

    @Test
    public void cacertsNamesTheIdevidCaAndTheRoot() throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(Est.CACERTS)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(Est.CERTS_ONLY, r.headers().firstValue("Content-Type").orElseThrow());
        // RFC 7030 section 4.1.3: BouncyCastle's EST client does not decode without it
        assertEquals("base64", r.headers().firstValue("Content-Transfer-Encoding").orElse(null));
        List<X509Certificate> certs = Est.parseCertsOnly(r.body());
        assertEquals(2, certs.size());
        assertEquals(java.util.Set.of(pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA).certificate(), root), java.util.Set.copyOf(certs));
    }

    /**
     * Attack 3: a buyer's CSR names the factory's host. The IDevID gets the fixed subject (the
     * manufacturer's names and the serial), no subjectAltName and no extended key usage: nothing a TLS
     * client could take for a server name.
     */
    @Test
    public void theIdevidSubjectIsFixedWhateverTheCsrSays() throws Exception {
        KeyPair device = KeyPairs.ecP256();
        HttpResponse<byte[]> r = enroll("CN=127.0.0.1,O=Evil,SERIALNUMBER=SN-0042", device);
        assertEquals(new String(r.body()), 200, r.statusCode());
        X509Certificate idevid = Est.parseCertsOnly(r.body()).get(0);
        assertEquals(new javax.security.auth.x500.X500Principal("SERIALNUMBER=SN-0042,CN=Acme device,O=Acme"),
                idevid.getSubjectX500Principal());
        assertEquals(null, idevid.getSubjectAlternativeNames());
        assertEquals(null, idevid.getExtendedKeyUsage());
    }

    /**
     * An independent EST client, BouncyCastle's (bcpkix org.bouncycastle.est), reads cacerts and csrattrs
     * and enrolls; the answer holds the issued certificate only; re-enrollment is refused by name (an
     * IDevID is never renewed).
     */
    @Test
    public void bouncyCastlesEstClientReadsCacertsAndCsrattrsAndEnrolls() throws Exception {
        org.bouncycastle.est.ESTService est = BcEst.client("127.0.0.1:" + service.port(), root, null, null);
        org.bouncycastle.est.CACertsResponse cacerts = est.getCACerts();
        assertEquals(2, cacerts.getCertificateStore().getMatches(null).size());
        org.bouncycastle.est.CSRRequestResponse attrs = est.getCSRAttributes();
        assertTrue("csrattrs asks for the serialNumber", attrs.getAttributesResponse().hasRequirement(
                dev.avocado.protocol.x509.Oids.SERIAL_NUMBER));
        assertTrue("csrattrs asks for ECDSA with SHA-256", attrs.getAttributesResponse().hasRequirement(
                org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA256));
        KeyPair device = KeyPairs.ecP256();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=SN-BC-1"),
                device.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(device.getPrivate()));
        org.bouncycastle.est.EnrollmentResponse enrolled = est.simpleEnroll(false, csr, null);
        java.util.Collection<org.bouncycastle.cert.X509CertificateHolder> issued = enrolled.getStore().getMatches(null);
        assertEquals("the issued certificate only (RFC 7030 4.2.3)", 1, issued.size());
        assertEquals(new X500Name("O=Acme,CN=Acme device,SERIALNUMBER=SN-BC-1"), issued.iterator().next().getSubject());
        assertEquals(1, rows());
        org.bouncycastle.est.ESTException renew = org.junit.Assert.assertThrows(org.bouncycastle.est.ESTException.class,
                () -> est.simpleEnroll(true, csr, null));
        assertEquals(renew.getMessage(), 501, renew.getStatusCode());
        assertEquals(1, rows());
    }

    @Test
    public void enrollmentIssuesAnIdevidOfTheProfileAndIsIdempotentPerKey() throws Exception {
        KeyPair device = KeyPairs.ecP256();
        HttpResponse<byte[]> r = enroll("CN=Sensor,SERIALNUMBER=SN-0001", device);
        assertEquals(new String(r.body()), 200, r.statusCode());
        // RFC 7030 4.2.3: the issued certificate only; its CA is in cacerts
        List<X509Certificate> answer = Est.parseCertsOnly(r.body());
        assertEquals(1, answer.size());
        List<X509Certificate> chain = List.of(answer.get(0), pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA).certificate());
        IdevidProfile.Idevid idevid = IdevidProfile.check(chain, List.of(root), Instant.now());
        assertEquals("SN-0001", idevid.serialNumber());
        assertEquals("masa.acme.test:8444", idevid.masaUrl());
        assertEquals(device.getPublic(), chain.get(0).getPublicKey());
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"), chain.get(0).getNotAfter().toInstant());
        assertTrue(chain.get(0).getKeyUsage()[0]);
        assertEquals(-1, chain.get(0).getBasicConstraints());

        // the same key again (its answer was lost): the same IDevID, no second row
        HttpResponse<byte[]> again = enroll("SERIALNUMBER=SN-0001", device);
        assertEquals(200, again.statusCode());
        assertEquals(chain.get(0), Est.parseCertsOnly(again.body()).get(0));
        assertEquals(1, rows());

        // another key for the same serial: refused while the first is live; a caller that is no station
        // is not told that the serial exists (the same answer as for a serial never planned)
        HttpResponse<byte[]> other = enroll("SERIALNUMBER=SN-0001", KeyPairs.ecP256());
        assertEquals(403, other.statusCode());
        assertEquals("serial SN-0001 cannot be given an IDevID here: it is not in the production plan, or it has a live "
                + "IDevID for another key (a factory station's certificate gets the reason)", new String(other.body()).strip());
        assertEquals(1, rows());

        try (FactoryService.Admin admin = FactoryService.admin(db)) {
            assertTrue(admin.revoke("SN-0001", "device replaced"));
        }
        assertEquals(200, enroll("SERIALNUMBER=SN-0001", KeyPairs.ecP256()).statusCode());
        assertEquals(2, rows());
    }

    @Test
    public void rejectionsSayWhyAndStoreNothing() throws Exception {
        KeyPair device = KeyPairs.ecP256();
        expect(415, "expected Content-Type application/pkcs10", Clients.post(http, uri(Est.SIMPLEENROLL), "text/plain",
                Clients.enrollBody("SERIALNUMBER=SN-2", device)));
        expect(400, "PKCS#10 request is not base64", Clients.post(http, uri(Est.SIMPLEENROLL), Est.PKCS10,
                "<not base64!>".getBytes()));
        expect(400, "PKCS#10 request is not DER", Clients.post(http, uri(Est.SIMPLEENROLL), Est.PKCS10, "AAAA".getBytes()));

        // a CSR for one key signed by another: no proof of possession
        PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=SN-2"),
                device.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(KeyPairs.ecP256().getPrivate()));
        expect(400, "signature does not verify", Clients.post(http, uri(Est.SIMPLEENROLL), Est.PKCS10, Est.csr(forged)));

        expect(400, "has no serialNumber", enroll("CN=no serial", device));
        expect(400, "serial number 'has space'", enroll("SERIALNUMBER=has space", device));

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        expect(400, "RSA key has 1024 bits", enroll("SERIALNUMBER=SN-2", rsa.generateKeyPair()));
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        expect(400, "not on the named curve P-256", enroll("SERIALNUMBER=SN-2", p384.generateKeyPair()));

        // one byte over the limit: a body the socket buffers take whole, so that the client reads the 413
        // rather than a reset of the connection Jetty closes while a larger body is still being written
        expect(413, "over the limit", Clients.post(http, uri(Est.SIMPLEENROLL), Est.PKCS10, new byte[16 * 1024 + 1]));
        expect(404, "no /nothing here", http.send(HttpRequest.newBuilder(uri("/nothing")).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals("nothing stored for a rejected request", 0, rows());
    }

    @Test
    public void allowlistAdmitsOnlyTheProductionPlan() throws Exception {
        service.close();
        service = start(true, List.of());
        expect(403, "serial SN-3 cannot be given an IDevID here: it is not in the production plan, or it has a live IDevID",
                enroll("SERIALNUMBER=SN-3", KeyPairs.ecP256()));
        try (FactoryService.Admin admin = FactoryService.admin(db)) {
            assertEquals(2, admin.allow(List.of("SN-3", "SN-4")));
        }
        assertEquals(200, enroll("SERIALNUMBER=SN-3", KeyPairs.ecP256()).statusCode());
        assertEquals(1, rows());
    }

    @Test
    public void stationCertificateCanBeRequired() throws Exception {
        KeyPair stationCaKey = KeyPairs.ecP256();
        Instant now = Instant.now().minusSeconds(60);
        X509Certificate stationCa = CertificateBuilder.subject("CN=Station CA", stationCaKey.getPublic())
                .selfSigned(stationCaKey.getPrivate()).validity(now, now.plus(Duration.ofDays(1))).ca(0)
                .keyUsage(KeyUsage.keyCertSign).build();
        KeyPair stationKey = KeyPairs.ecP256();
        X509Certificate station = CertificateBuilder.subject("CN=Line 3 station 7", stationKey.getPublic())
                .issuer(stationCa, stationCaKey.getPrivate()).validity(now, now.plus(Duration.ofDays(1))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        service.close();
        service = start(false, List.of(stationCa));
        expect(403, "needs a factory station's TLS client certificate", enroll("SERIALNUMBER=SN-5", KeyPairs.ecP256()));
        // BouncyCastle's EST client, authenticated by the station's key and certificate alone
        KeyPair device = KeyPairs.ecP256();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=SN-BC-5"),
                device.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(device.getPrivate()));
        assertEquals(device.getPublic(), BcEst.certificates(BcEst.client("127.0.0.1:" + service.port(), root, stationKey,
                List.of(station)).simpleEnroll(false, csr, null).getStore().getMatches(null)).get(0).getPublicKey());
        org.bouncycastle.est.ESTException anonymous = org.junit.Assert.assertThrows(org.bouncycastle.est.ESTException.class,
                () -> BcEst.client("127.0.0.1:" + service.port(), root, null, null).simpleEnroll(false, csr, null));
        assertEquals(403, anonymous.getStatusCode());
        HttpClient fromStation = Clients.client(root, new TlsContexts.Credential(stationKey.getPrivate(), List.of(station)));
        assertEquals(200, Clients.post(fromStation, uri(Est.SIMPLEENROLL), Est.PKCS10,
                Clients.enrollBody("SERIALNUMBER=SN-5", KeyPairs.ecP256())).statusCode());
        // a station is told why: the serial is taken
        expect(409, "serial SN-5 has a live IDevID", Clients.post(fromStation, uri(Est.SIMPLEENROLL), Est.PKCS10,
                Clients.enrollBody("SERIALNUMBER=SN-5", KeyPairs.ecP256())));
    }

    @Test
    public void deviceRecordsItsDppUriWithItsIdevid() throws Exception {
        KeyPair device = KeyPairs.ecP256();
        List<X509Certificate> chain = Est.parseCertsOnly(enroll("SERIALNUMBER=SN-6", device).body());
        HttpClient asDevice = Clients.client(root, new TlsContexts.Credential(device.getPrivate(), chain));
        String dpp = new DppUri("SN-6", device.getPublic()).toString();

        expect(401, "needs the device's IDevID", Clients.post(http, uri(FactoryService.RECORD), "application/json",
                json("SN-6", dpp)));
        expect(403, "serial SN-7 is not the serial of the IDevID presented (SN-6)", Clients.post(asDevice,
                uri(FactoryService.RECORD), "application/json", json("SN-7", dpp)));
        expect(400, "the DPP URI's key (K:) is not the IDevID's key", Clients.post(asDevice, uri(FactoryService.RECORD),
                "application/json", json("SN-6", new DppUri("SN-6", KeyPairs.ecP256().getPublic()).toString())));
        expect(400, "the body is not JSON", Clients.post(asDevice, uri(FactoryService.RECORD), "application/json",
                "{".getBytes()));

        HttpResponse<byte[]> ok = Clients.post(asDevice, uri(FactoryService.RECORD), "application/json", json("SN-6", dpp));
        assertEquals(new String(ok.body()), 200, ok.statusCode());
        assertEquals("{\"serial\":\"SN-6\",\"status\":\"recorded\"}", new String(ok.body(), StandardCharsets.UTF_8));
        try (FactoryService.Admin admin = FactoryService.admin(db)) {
            assertTrue(admin.devices().get(0), admin.devices().get(0).endsWith("DPP " + dpp));
        }
    }

    private static byte[] json(String serial, String dpp) {
        return ("{\"serial\":\"" + serial + "\",\"dpp-uri\":\"" + dpp + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static void expect(int status, String reason, HttpResponse<byte[]> r) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(body, status, r.statusCode());
        assertTrue("'" + body + "' should say: " + reason, body.contains(reason));
    }
}
