package dev.avocado.registrar;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.brski.RegistrarRequests;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Registrar and MASA on real TLS with their databases, driven by a software pledge (the same pledge
 * code the device runs) and by curl + openssl: vouchers, LDevIDs, approval, and each refusal with
 * nothing stored.
 */
public class OnboardingServersTest {

    private static final String NONCE = "c2VjcmV0LW5vbmNlLTAx";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Parties parties;

    @After
    public void stop() throws Exception {
        if (parties != null) {
            parties.close();
        }
    }

    private Parties parties(RegistrarService.Approval approval, MasaService.Ownership ownership) throws Exception {
        parties = new Parties(tmp.getRoot().toPath()).start(approval, ownership);
        return parties;
    }

    private PledgeSession session(Parties.Device d) throws Exception {
        return new PledgeSession(parties.registrarUri(), d.credential(), d.serial(), parties.trust(),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private static PKCS10CertificationRequest csr(String subject, KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }

    private long rows(String table) throws Exception {
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            return admin.count(table);
        }
    }

    @Test
    public void aPledgeGetsItsVoucherAndLdevidAndIndependentCheckersAgree() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0001");
        PledgeSession s = session(d);
        X509Certificate registrarTls = s.connect();
        assertEquals(parties.pki.load(Pki.OWNER, Pki.REGISTRAR_TLS).certificate(), registrarTls);
        byte[] voucher = s.requestVoucher(s.voucherRequest(NONCE));
        PledgeSession.Accepted accepted = s.acceptVoucher(voucher, NONCE, Instant.now());
        assertEquals(parties.pki.domainCa(), accepted.pinned());
        assertEquals("logged", accepted.voucher().voucher().assertion());
        assertArrayEquals(RegistrarRequests.idevidIssuer(d.chain().get(0)), accepted.voucher().voucher().idevidIssuer());
        s.voucherStatus(true, "voucher accepted");

        List<X509Certificate> cacerts = s.cacerts();
        assertEquals(List.of(parties.pki.domainCa()), cacerts);
        assertEquals("EC_P256", s.csrKeyAlgorithm());
        KeyPair ldevidKey = KeyPairs.ecP256();
        List<X509Certificate> ldevid = s.enroll(csr("serialNumber=SN-0001", ldevidKey));
        LdevidProfile.check(ldevid, cacerts, ldevidKey.getPublic(), "SN-0001", Instant.now());
        s.enrollStatus(true, "LDevID saved");

        // openssl: the voucher under the MPR's MASA voucher-signing anchor (and not under its root, which
        // anchors IDevIDs), the LDevID under the domain CA
        Path work = tmp.newFolder("check").toPath();
        Files.write(work.resolve("voucher.der"), voucher);
        Files.writeString(work.resolve("mpr.pem"), Pem.encode(parties.pki.certificate(Pki.MANUFACTURER, Pki.MASA_CA)));
        Files.writeString(work.resolve("root.pem"), Pem.encode(parties.pki.root()));
        assertNotEquals("the voucher signer is not under the manufacturer root", 0, Proc.run(work, "openssl", "cms", "-verify",
                "-inform", "DER", "-in", "voucher.der", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null").exit());
        Files.writeString(work.resolve("domain.pem"), Pem.encode(parties.pki.domainCa()));
        Files.writeString(work.resolve("ldevid.pem"), Pem.encode(ldevid.get(0)));
        Proc cms = Proc.run(work, "openssl", "cms", "-verify", "-inform", "DER", "-in", "voucher.der", "-CAfile", "mpr.pem",
                "-purpose", "any").ok("openssl cms -verify");
        assertTrue(cms.output(), cms.output().contains("\"ietf-voucher:voucher\"") && cms.output().contains("SN-0001"));
        assertTrue(Proc.run(work, "openssl", "verify", "-CAfile", "domain.pem", "-purpose", "sslclient", "ldevid.pem")
                .ok("openssl verify").output().contains("ldevid.pem: OK"));

        // the registrar kept the story, the MASA its log; the owner may read the audit log
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertTrue(admin.pledges().toString(), admin.pledges().get(0).contains("enrolled"));
            assertEquals(1, admin.count("vouchers"));
            assertEquals(2, admin.count("reports"));
        }
        JsonNode audit = auditLog(d);
        assertEquals(1, audit.path("events").size());
        assertEquals(NONCE, audit.path("events").get(0).path("nonce").asText());

        // re-enrollment with the LDevID: a new certificate, the old one replaced
        List<X509Certificate> renewed = PledgeSession.reenroll(parties.registrarUri(),
                new TlsContexts.Credential(ldevidKey.getPrivate(), ldevid), cacerts,
                csr(ldevid.get(0).getSubjectX500Principal().getName(), ldevidKey), Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertNotEquals(ldevid.get(0).getSerialNumber(), renewed.get(0).getSerialNumber());
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            List<String> lines = admin.ldevids("SN-0001");
            assertTrue(lines.toString(), lines.get(0).contains("replaced") && lines.get(1).contains("live"));
        }
        // the replaced LDevID cannot renew again: asked again with the same key (the renewal's answer was lost),
        // it gets the renewed LDevID, not a new one; with another key, nothing
        assertEquals(renewed.get(0), PledgeSession.reenroll(parties.registrarUri(), new TlsContexts.Credential(
                ldevidKey.getPrivate(), ldevid), cacerts, csr(ldevid.get(0).getSubjectX500Principal().getName(), ldevidKey),
                Duration.ofSeconds(5), Duration.ofSeconds(30)).get(0));
        PledgeSession.RegistrarAnswer stale = assertThrows(PledgeSession.RegistrarAnswer.class, () -> PledgeSession.reenroll(
                parties.registrarUri(), new TlsContexts.Credential(ldevidKey.getPrivate(), ldevid), cacerts,
                csr(ldevid.get(0).getSubjectX500Principal().getName(), KeyPairs.ecP256()), Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
        assertEquals(403, stale.status());
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertEquals(2, admin.ldevids("SN-0001").size());
        }
    }

    /**
     * A pledge whose answer was lost asks again with the same request: at the registrar, and the
     * registrar (another instance, say) at the MASA. Each gets what was given the first time; nothing is
     * issued or logged twice. A new nonce or a new key is a new request.
     */
    @Test
    public void aRequestAskedAgainGetsTheSameAnswerAndNothingIsIssuedTwice() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0011");
        PledgeSession s = session(d);
        s.connect();
        byte[] request = s.voucherRequest(NONCE);
        byte[] first = s.requestVoucher(request);
        assertArrayEquals(first, s.requestVoucher(request));
        assertEquals(1, rows("vouchers"));

        // the same pledge request in a new registrar request, straight to the MASA: the voucher it logged
        byte[] body = signedAsRegistrar(d, request);
        URI masaVoucher = URI.create("https://127.0.0.1:" + parties.masa.port() + Brski.REQUEST_VOUCHER);
        HttpResponse<byte[]> again = post(masaClient(), masaVoucher, VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE, body);
        assertEquals(new String(again.body(), StandardCharsets.UTF_8), 200, again.statusCode());
        assertArrayEquals(first, again.body());
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(1, admin.vouchers("SN-0011").size());
        }

        // a new nonce is a new voucher
        byte[] second = s.requestVoucher(s.voucherRequest("c2Vjb25kLW5vbmNlLTAy"));
        assertFalse(java.util.Arrays.equals(first, second));
        s.acceptVoucher(second, "c2Vjb25kLW5vbmNlLTAy", Instant.now());
        assertEquals(2, rows("vouchers"));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(2, admin.vouchers("SN-0011").size());
        }

        // EST: the same IDevID and key asking again get the same LDevID; another key a new one
        KeyPair key = KeyPairs.ecP256();
        List<X509Certificate> ldevid = s.enroll(csr("serialNumber=SN-0011", key));
        assertEquals(ldevid, s.enroll(csr("serialNumber=SN-0011", key)));
        assertEquals(1, rows("ldevids"));
        List<X509Certificate> other = s.enroll(csr("serialNumber=SN-0011", KeyPairs.ecP256()));
        assertNotEquals(ldevid.get(0).getSerialNumber(), other.get(0).getSerialNumber());
        assertEquals(2, rows("ldevids"));
    }

    /**
     * A renewal asked again is answered only for the LDevID the current one replaced last: an LDevID two
     * renewals old, holding the current key (a device's key stays across renewals), gets nothing.
     */
    @Test
    public void onlyTheLdevidReplacedLastCanAskARenewalAgain() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0021");
        PledgeSession s = session(d);
        s.connect();
        s.acceptVoucher(s.requestVoucher(s.voucherRequest(NONCE)), NONCE, Instant.now());
        List<X509Certificate> cacerts = s.cacerts();
        KeyPair key = KeyPairs.ecP256();
        List<X509Certificate> first = List.of(s.enroll(csr("serialNumber=SN-0021", key)).get(0), cacerts.get(0));
        TlsContexts.Credential asFirst = new TlsContexts.Credential(key.getPrivate(), first);
        List<X509Certificate> second = List.of(PledgeSession.reenroll(parties.registrarUri(), asFirst, cacerts,
                csr("serialNumber=SN-0021", key), Duration.ofSeconds(5), Duration.ofSeconds(30)).get(0), cacerts.get(0));
        TlsContexts.Credential asSecond = new TlsContexts.Credential(key.getPrivate(), second);
        X509Certificate third = PledgeSession.reenroll(parties.registrarUri(), asSecond, cacerts,
                csr("serialNumber=SN-0021", key), Duration.ofSeconds(5), Duration.ofSeconds(30)).get(0);

        PledgeSession.RegistrarAnswer old = assertThrows(PledgeSession.RegistrarAnswer.class, () -> PledgeSession.reenroll(
                parties.registrarUri(), asFirst, cacerts, csr("serialNumber=SN-0021", key), Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
        assertEquals(403, old.status());
        assertTrue(old.getMessage(), old.getMessage().contains("the LDevID presented is not the current one of serial SN-0021"));
        assertEquals(third, PledgeSession.reenroll(parties.registrarUri(), asSecond, cacerts, csr("serialNumber=SN-0021", key),
                Duration.ofSeconds(5), Duration.ofSeconds(30)).get(0));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertEquals(3, admin.ldevids("SN-0021").size());
        }
    }

    /**
     * A request asked again after its logged voucher expired gets no voucher that is no longer valid, and
     * no second one for the same nonce: 409, and the pledge asks again with a new nonce.
     */
    @Test
    public void aRequestAskedAgainAfterItsVoucherExpiredIsToldToUseANewNonce() throws Exception {
        parties = new Parties(tmp.getRoot().toPath());
        parties.startMasa(MasaService.Ownership.FIRST_CLAIM, Duration.ofSeconds(2));
        parties.startRegistrar(RegistrarService.Approval.AUTO, Duration.ofDays(365));
        Parties.Device d = parties.device("SN-0012");
        PledgeSession s = session(d);
        s.connect();
        byte[] request = s.voucherRequest(NONCE);
        s.requestVoucher(request);
        Thread.sleep(2500);
        HttpResponse<byte[]> again = post(masaClient(), URI.create("https://127.0.0.1:" + parties.masa.port()
                + Brski.REQUEST_VOUCHER), VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE, signedAsRegistrar(d, request));
        String text = new String(again.body(), StandardCharsets.UTF_8);
        assertEquals(text, 409, again.statusCode());
        assertTrue(text, text.contains("the voucher for serial SN-0012 and nonce " + NONCE + " was issued at ")
                && text.contains("; the pledge asks again with a new nonce"));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(1, admin.vouchers("SN-0012").size());
        }
        // a new nonce gets a new voucher
        String fresh = "ZnJlc2gtbm9uY2UtMDAwMQ==";
        s.acceptVoucher(s.requestVoucher(s.voucherRequest(fresh)), fresh, Instant.now());
    }

    /** requestauditlog with a registrar request for the device, signed as the registrar signs. */
    private JsonNode auditLog(Parties.Device d) throws Exception {
        PledgeSession s = session(d);
        s.connect();
        byte[] body = signedAsRegistrar(d, s.voucherRequest(NONCE));
        HttpResponse<byte[]> r = post(masaClient(), URI.create("https://127.0.0.1:" + parties.masa.port()
                + Brski.REQUEST_AUDIT_LOG), VoucherCms.MEDIA_TYPE, "application/json", body);
        assertEquals(new String(r.body(), StandardCharsets.UTF_8), 200, r.statusCode());
        return new ObjectMapper().readTree(r.body());
    }

    /** A registrar voucher request around the pledge's, signed as the registrar signs (C.4). */
    private byte[] signedAsRegistrar(Parties.Device d, byte[] pvr) throws Exception {
        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), VoucherCms.verify(pvr, null, Instant.now(), List.of())
                .voucher(), pvr, d.chain().get(0));
        Pki.Credential signer = parties.pki.load(Pki.OWNER, Pki.REGISTRAR);
        return VoucherCms.sign(rvr, signer.key(), null, List.of(signer.certificate(), parties.pki.domainCa()));
    }

    private HttpClient masaClient() throws Exception {
        return HttpClient.newBuilder().sslContext(TlsContexts.manufacturerServer(parties.trust(), "127.0.0.1", null)).build();
    }

    private static HttpResponse<byte[]> post(HttpClient http, URI uri, String type, String accept, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    public void manualApprovalHoldsThePledgeWith202UntilTheOwnerApproves() throws Exception {
        parties(RegistrarService.Approval.MANUAL, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0002");
        PledgeSession s = session(d);
        s.connect();
        byte[] request = s.voucherRequest(NONCE);
        PledgeSession.RegistrarAnswer held = assertThrows(PledgeSession.RegistrarAnswer.class, () -> s.requestVoucher(request));
        assertEquals(202, held.status());
        assertEquals(Duration.ofSeconds(1), held.retryAfter());
        assertTrue(held.getMessage(), held.getMessage().contains("registrar approve SN-0002"));
        assertEquals(0, rows("vouchers"));
        // no voucher, no LDevID: EST refuses before approval
        HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.provisional(c -> { }, d.credential())).build();
        assertStatus(403, "has no voucher from this registrar", post(http,
                parties.registrarUri().resolve(Est.SIMPLEENROLL), Est.PKCS10, null,
                Est.csr(csr("serialNumber=SN-0002", KeyPairs.ecP256()))));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertTrue(admin.pledges().get(0), admin.pledges().get(0).contains("pending"));
            assertEquals(1, admin.approve(List.of("SN-0002")));
        }
        byte[] voucher = s.requestVoucher(request);
        assertNotNull(s.acceptVoucher(voucher, NONCE, Instant.now()));
        assertEquals(1, rows("vouchers"));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            String line = admin.pledges().get(0);
            assertTrue(line, line.contains("SN-0002              voucher") && !line.contains("not approved"));
        }
    }

    @Test
    public void allowlistRefusesOthersAndStoresNoVoucher() throws Exception {
        parties(RegistrarService.Approval.ALLOWLIST, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0003");
        PledgeSession s = session(d);
        s.connect();
        PledgeSession.RegistrarAnswer refused = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> s.requestVoucher(s.voucherRequest(NONCE)));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage(), refused.getMessage().contains("not on this registrar's allowlist"));
        assertEquals(0, rows("vouchers"));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(0, admin.vouchers(null).size());
        }
    }

    @Test
    public void refusalsNameTheProblemAndStoreNothing() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0004");

        // a voucher request whose serial differs from the TLS client IDevID
        PledgeSession s = session(d);
        s.connect();
        Parties.Device other = parties.device("SN-0005");
        PledgeSession foreignSigner = new PledgeSession(parties.registrarUri(), other.credential(), "SN-0004",
                parties.trust(), Duration.ofSeconds(5), Duration.ofSeconds(30));
        foreignSigner.connect();
        byte[] mislabelled = foreignSigner.voucherRequest(NONCE);
        assertRefused(403, "but the TLS client IDevID is serial SN-0005", () -> foreignSigner.requestVoucher(mislabelled));
        // signed by another device than the TLS client
        assertRefused(403, "not by the IDevID of the TLS connection", () -> s.requestVoucher(mislabelled));

        // an IDevID of an unknown manufacturer
        Pki stranger = new Pki(tmp.newFolder("stranger").toPath());
        stranger.init("Globex", "https://127.0.0.1:8443", "127.0.0.1:9443");
        Parties.Device alien = Parties.device(stranger, "SN-0006", "127.0.0.1:" + parties.masa.port());
        PledgeSession alienSession = new PledgeSession(parties.registrarUri(), alien.credential(), "SN-0006",
                Parties.trust(stranger), Duration.ofSeconds(5), Duration.ofSeconds(30));
        alienSession.connect();
        assertRefused(403, "not an IDevID of a manufacturer this registrar trusts",
                () -> alienSession.requestVoucher(alienSession.voucherRequest(NONCE)));

        // malformed bodies, media types, sizes, over the pledge's TLS
        HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.provisional(c -> { }, d.credential())).build();
        URI rv = parties.registrarUri().resolve(Brski.REQUEST_VOUCHER);
        byte[] good = s.voucherRequest(NONCE);
        assertStatus(415, "expected Content-Type application/voucher-cms+json", post(http, rv, "application/json", null, good));
        assertStatus(406, "which Accept 'application/json' excludes", post(http, rv, VoucherCms.MEDIA_TYPE, "application/json", good));
        assertStatus(400, "not a CMS SignedData", post(http, rv, VoucherCms.MEDIA_TYPE, null, "garbage".getBytes()));
        assertStatus(413, "over the limit", post(http, rv, VoucherCms.MEDIA_TYPE, null, new byte[64 * 1024]));
        for (String[] bad : new String[][] {
            {"{\"ietf-voucher:voucher\":{\"serial-number\":\"SN-0004\"}}", "is missing"},
            {"{\"other:voucher\":{\"serial-number\":\"SN-0004\"}}", "unknown root 'other:voucher'"},
            {"{\"ietf-voucher-request:voucher\":{\"assertion\":\"proximity\"}}", "serial-number is missing"},
            {"{\"ietf-voucher-request:voucher\":{\"serial-number\":\"SN-0004\",\"created-on\":\"yesterday\"}}",
                "created-on 'yesterday' is not an RFC 3339 date-time"},
            {"{\"ietf-voucher-request:voucher\":{\"serial-number\":\"SN-0004\",\"nonce\":\""
                    + Base64.getEncoder().encodeToString(new byte[33]) + "\"}}", "nonce has 33 bytes"},
            {"not json", "not JSON"}}) {
            byte[] cms = signRaw(bad[0].getBytes(StandardCharsets.UTF_8), d);
            assertStatus(400, bad[1], post(http, rv, VoucherCms.MEDIA_TYPE, null, cms));
        }
        // EST before any voucher
        assertStatus(403, "has no voucher from this registrar", post(http, parties.registrarUri().resolve(Est.SIMPLEENROLL),
                Est.PKCS10, null, Est.csr(csr("serialNumber=SN-0004", KeyPairs.ecP256()))));

        assertEquals(0, rows("vouchers"));
        assertEquals(0, rows("ldevids"));
        assertEquals(0, rows("pledges"));
        assertEquals(0, rows("reports"));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(0, admin.vouchers(null).size());
            assertEquals(List.of(), admin.claims());
        }
    }

    /** The JSON signed as a pledge signs it, whatever it says. */
    private static byte[] signRaw(byte[] json, Parties.Device d) throws Exception {
        org.bouncycastle.cms.CMSSignedDataGenerator g = new org.bouncycastle.cms.CMSSignedDataGenerator();
        g.addSignerInfoGenerator(new org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder(
                new org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(d.key().getPrivate()), d.chain().get(0)));
        g.addCertificates(new org.bouncycastle.cert.jcajce.JcaCertStore(d.chain()));
        return g.generate(new org.bouncycastle.cms.CMSProcessableByteArray(
                dev.avocado.protocol.x509.Oids.ID_CT_ANIMA_JSON_VOUCHER, json), true).getEncoded();
    }

    @Test
    public void theMasaRefusesARegistrarWithoutCmcRaAndKeepsOwnership() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.RECORDS);
        Parties.Device d = parties.device("SN-0007");
        PledgeSession s = session(d);
        s.connect();
        byte[] pvr = s.voucherRequest(NONCE);
        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), VoucherCms.verify(pvr, null, Instant.now(), List.of())
                .voucher(), pvr, d.chain().get(0));
        URI masa = URI.create("https://127.0.0.1:" + parties.masa.port() + Brski.REQUEST_VOUCHER);
        Pki.Credential tlsCert = parties.pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        byte[] noRa = VoucherCms.sign(rvr, tlsCert.key(), null, List.of(tlsCert.certificate(), parties.pki.domainCa()));
        assertStatus(403, "lacks extended key usage id-kp-cmcRA", post(masaClient(), masa, VoucherCms.MEDIA_TYPE,
                VoucherCms.MEDIA_TYPE, noRa));

        // ownership by records: no record, then the record, through the registrar
        assertRefused(403, "has no ownership record at this MASA", () -> s.requestVoucher(pvr));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(0, admin.vouchers(null).size());
            admin.claim(List.of("SN-0007"), parties.pki.domainCa());
        }
        assertNotNull(s.acceptVoucher(s.requestVoucher(pvr), NONCE, Instant.now()));
        // another domain asking for the same serial is refused
        Pki rival = new Pki(tmp.newFolder("rival").toPath());
        rival.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:9443", "Rival Owner", "https://127.0.0.1:8445");
        Pki.Credential rivalSigner = rival.load(Pki.OWNER, Pki.REGISTRAR);
        byte[] rivalPvr = VoucherCms.sign(dev.avocado.protocol.brski.PledgeRequests.create(OffsetDateTime.now(), "SN-0007", NONCE,
                rival.load(Pki.OWNER, Pki.REGISTRAR_TLS).certificate()), d.key().getPrivate(), null, d.chain());
        Voucher rivalRvr = RegistrarRequests.create(OffsetDateTime.now(), VoucherCms.verify(rivalPvr, null, Instant.now(),
                List.of()).voucher(), rivalPvr, d.chain().get(0));
        byte[] rivalRequest = VoucherCms.sign(rivalRvr, rivalSigner.key(), null, List.of(rivalSigner.certificate(),
                rival.domainCa()));
        HttpResponse<byte[]> rivalAnswer = post(masaClient(), masa, VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE,
                rivalRequest);
        assertStatus(403, "belongs to another domain, not to CN=Rival Owner Domain CA", rivalAnswer);
        assertFalse("the MASA does not tell a rival who owns the serial",
                new String(rivalAnswer.body(), StandardCharsets.UTF_8).contains("Example Owner"));

        // attack 2: a CA that copies the owner's subject name and subject key identifier (both public in
        // its cacerts) with a key of its own, and a cmcRA registrar under it, asks the MASA directly
        KeyPair forgedKey = KeyPairs.ecP256();
        X509Certificate owner = parties.pki.domainCa();
        X509Certificate forgedCa = copiedSki(owner, forgedKey);
        assertArrayEquals(owner.getExtensionValue("2.5.29.14"), forgedCa.getExtensionValue("2.5.29.14"));
        assertEquals(owner.getSubjectX500Principal(), forgedCa.getSubjectX500Principal());
        KeyPair forgedRaKey = KeyPairs.ecP256();
        X509Certificate forgedRa = dev.avocado.protocol.x509.CertificateBuilder.subject("O=Example Owner,CN=Forged Registrar",
                forgedRaKey.getPublic()).issuer(forgedCa, forgedKey.getPrivate()).validity(Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600)).endEntity().keyUsage(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature)
                .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_cmcRA).build();
        X509Certificate forgedTls = dev.avocado.protocol.x509.CertificateBuilder.subject("O=Example Owner,CN=127.0.0.1",
                KeyPairs.ecP256().getPublic()).issuer(forgedCa, forgedKey.getPrivate()).validity(Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600)).endEntity().keyUsage(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature)
                .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth).build();
        // the victim pledge signs what it sees: the rogue registrar's TLS certificate as proximity
        byte[] forgedPvr = VoucherCms.sign(dev.avocado.protocol.brski.PledgeRequests.create(OffsetDateTime.now(), "SN-0007",
                NONCE, forgedTls), d.key().getPrivate(), null, d.chain());
        Voucher forgedRvr = RegistrarRequests.create(OffsetDateTime.now(), VoucherCms.verify(forgedPvr, null, Instant.now(),
                List.of()).voucher(), forgedPvr, d.chain().get(0));
        byte[] forgedRequest = VoucherCms.sign(forgedRvr, forgedRaKey.getPrivate(), null, List.of(forgedRa, forgedCa));
        assertStatus(403, "belongs to another domain", post(masaClient(), masa, VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE,
                forgedRequest));
        try (MasaService.Admin admin = MasaService.admin(parties.masaDb)) {
            assertEquals(1, admin.vouchers(null).size());
            List<String> claims = admin.claims();
            assertEquals(claims.toString(), 1, claims.size());
            assertTrue(claims.get(0), claims.get(0).contains("CN=Example Owner Domain CA"));
        }
    }

    /** A self-signed CA with {@code original}'s subject and subject key identifier, and another key. */
    private static X509Certificate copiedSki(X509Certificate original, KeyPair key) throws Exception {
        org.bouncycastle.asn1.x500.X500Name name = org.bouncycastle.asn1.x500.X500Name.getInstance(
                original.getSubjectX500Principal().getEncoded());
        org.bouncycastle.cert.X509v3CertificateBuilder b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name,
                java.math.BigInteger.valueOf(System.nanoTime()), java.util.Date.from(Instant.now().minusSeconds(60)),
                java.util.Date.from(Instant.now().plusSeconds(3600)), name, key.getPublic());
        b.addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                new org.bouncycastle.asn1.x509.BasicConstraints(1));
        b.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                org.bouncycastle.asn1.x509.KeyUsage.keyCertSign | org.bouncycastle.asn1.x509.KeyUsage.cRLSign));
        byte[] ski = org.bouncycastle.asn1.ASN1OctetString.getInstance(original.getExtensionValue("2.5.29.14")).getOctets();
        b.addExtension(org.bouncycastle.asn1.x509.Extension.subjectKeyIdentifier, false,
                org.bouncycastle.asn1.x509.SubjectKeyIdentifier.getInstance(ski));
        return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    /**
     * The LDevID needs the voucher itself: an approved pledge the MASA refused, which then reports that
     * it accepted a voucher, still gets no LDevID.
     */
    /**
     * Attack 5: enrollment is bound to the IDevID certificate that was handed the voucher. A replaced
     * (still unexpired) LDevID at simpleenroll, and another manufacturer's IDevID with the same serial
     * string, get nothing, and the device's current LDevID stays.
     */
    @Test
    public void enrollmentIsBoundToTheIdevidThatGotTheVoucher() throws Exception {
        parties = new Parties(tmp.getRoot().toPath());
        parties.startMasa(MasaService.Ownership.FIRST_CLAIM);
        Pki globex = new Pki(tmp.newFolder("globex").toPath());
        globex.init("Globex", "https://127.0.0.1:8443", "127.0.0.1:9443");
        parties.startRegistrar(RegistrarService.Approval.AUTO, Duration.ofDays(365), Parties.trust(globex));

        Parties.Device d = parties.device("SN-0020");
        PledgeSession s = session(d);
        s.connect();
        s.acceptVoucher(s.requestVoucher(s.voucherRequest(NONCE)), NONCE, Instant.now());
        List<X509Certificate> cacerts = s.cacerts();
        KeyPair firstKey = KeyPairs.ecP256();
        List<X509Certificate> first = List.of(s.enroll(csr("serialNumber=SN-0020", firstKey)).get(0), cacerts.get(0));
        KeyPair secondKey = KeyPairs.ecP256();
        List<X509Certificate> second = PledgeSession.reenroll(parties.registrarUri(),
                new TlsContexts.Credential(firstKey.getPrivate(), first), cacerts, csr("serialNumber=SN-0020", secondKey),
                Duration.ofSeconds(5), Duration.ofSeconds(30));

        // the renewal's answer was lost: the device still holds the first LDevID and asks again for the same key,
        // and gets the same second LDevID (no third row: the count below); with another key, nothing
        assertEquals(second.get(0), PledgeSession.reenroll(parties.registrarUri(), new TlsContexts.Credential(
                firstKey.getPrivate(), first), cacerts, csr("serialNumber=SN-0020", secondKey), Duration.ofSeconds(5),
                Duration.ofSeconds(30)).get(0));
        PledgeSession.RegistrarAnswer stale = assertThrows(PledgeSession.RegistrarAnswer.class, () -> PledgeSession.reenroll(
                parties.registrarUri(), new TlsContexts.Credential(firstKey.getPrivate(), first), cacerts,
                csr("serialNumber=SN-0020", KeyPairs.ecP256()), Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertEquals(403, stale.status());
        assertTrue(stale.getMessage(), stale.getMessage().contains("the LDevID presented was replaced by LDevID "
                + second.get(0).getSerialNumber().toString(16) + " of serial SN-0020; renew with the current one"));

        // the replaced LDevID, unexpired, asks simpleenroll (where the old code took any device certificate)
        HttpClient asReplaced = HttpClient.newBuilder().sslContext(TlsContexts.provisional(c -> { },
                new TlsContexts.Credential(firstKey.getPrivate(), first))).build();
        assertStatus(403, "simpleenroll takes the IDevID that received the voucher, not an LDevID", post(asReplaced,
                parties.registrarUri().resolve(Est.SIMPLEENROLL), Est.PKCS10, null,
                Est.csr(csr("serialNumber=SN-0020", KeyPairs.ecP256()))));

        // another manufacturer's device with the same serial string, trusted by this registrar, no voucher
        Parties.Device twin = Parties.device(globex, "SN-0020", "127.0.0.1:" + parties.masa.port());
        HttpClient asTwin = HttpClient.newBuilder().sslContext(TlsContexts.provisional(c -> { }, twin.credential())).build();
        assertStatus(403, "issued by CN=Globex IDevID CA,O=Globex (certificate serial", post(asTwin,
                parties.registrarUri().resolve(Est.SIMPLEENROLL), Est.PKCS10, null,
                Est.csr(csr("serialNumber=SN-0020", KeyPairs.ecP256()))));

        // the twin gets a voucher of its own, from Globex's MASA (checked in Globex's roles, not Acme's), and
        // still cannot take over the serial's LDevID, which Acme's device holds
        try (dev.avocado.masa.MasaService globexMasa = dev.avocado.masa.MasaService.start(globex, "jdbc:h2:file:"
                + tmp.getRoot().toPath().resolve("db/globex-masa"), new dev.avocado.masa.MasaService.Settings("127.0.0.1", 0,
                        MasaService.Ownership.FIRST_CLAIM, Duration.ofDays(1)))) {
            Parties.Device ownTwin = Parties.device(globex, "SN-0020", "127.0.0.1:" + globexMasa.port());
            PledgeSession t = new PledgeSession(parties.registrarUri(), ownTwin.credential(), "SN-0020", Parties.trust(globex),
                    Duration.ofSeconds(5), Duration.ofSeconds(30));
            t.connect();
            assertEquals("CN=Globex MASA,O=Globex", t.acceptVoucher(t.requestVoucher(t.voucherRequest(NONCE)), NONCE,
                    Instant.now()).voucher().signer().getSubjectX500Principal().getName());
            PledgeSession.RegistrarAnswer takeover = assertThrows(PledgeSession.RegistrarAnswer.class,
                    () -> t.enroll(csr("serialNumber=SN-0020", KeyPairs.ecP256())));
            assertEquals(409, takeover.status());
            assertTrue(takeover.getMessage(), takeover.getMessage().contains("has a current LDevID enrolled with an IDevID of "
                    + "another manufacturer than CN=Globex Root CA,O=Globex"));
        }

        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            List<String> lines = admin.ldevids("SN-0020");
            assertEquals(lines.toString(), 2, lines.size());
            assertTrue(lines.toString(), lines.get(0).contains("replaced") && lines.get(1).contains("live")
                    && lines.get(1).contains(second.get(0).getSerialNumber().toString(16)));
        }
    }

    @Test
    public void enrollmentNeedsAVoucherNotAnApprovalOrAReport() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.RECORDS);
        Parties.Device d = parties.device("SN-0010");
        PledgeSession s = session(d);
        s.connect();
        assertRefused(403, "has no ownership record at this MASA", () -> s.requestVoucher(s.voucherRequest(NONCE)));
        s.voucherStatus(true, "voucher accepted (it was not)");
        HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.provisional(c -> { }, d.credential())).build();
        assertStatus(403, "has no voucher from this registrar", post(http,
                parties.registrarUri().resolve(Est.SIMPLEENROLL), Est.PKCS10, null,
                Est.csr(csr("serialNumber=SN-0010", KeyPairs.ecP256()))));
        assertEquals(0, rows("ldevids"));
        assertEquals(0, rows("vouchers"));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertTrue(admin.pledges().get(0), !admin.pledges().get(0).contains("trusted"));
        }
    }

    @Test
    public void masaDownThenUp() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0008");
        parties.stopMasa();
        PledgeSession s = session(d);
        s.connect();
        byte[] request = s.voucherRequest(NONCE);
        PledgeSession.RegistrarAnswer down = assertThrows(PledgeSession.RegistrarAnswer.class, () -> s.requestVoucher(request));
        assertEquals(503, down.status());
        assertEquals(Duration.ofSeconds(1), down.retryAfter());
        assertTrue(down.getMessage(), down.getMessage().contains("cannot be reached"));
        assertEquals(0, rows("vouchers"));
        parties.startMasa(MasaService.Ownership.FIRST_CLAIM);
        assertNotNull(s.acceptVoucher(s.requestVoucher(request), NONCE, Instant.now()));
    }

    /** An independent pledge and EST client: openssl signs the voucher request and makes the CSR, curl talks. */
    @Test
    public void curlAndOpensslOnboardAgainstTheRegistrar() throws Exception {
        parties(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        Parties.Device d = parties.device("SN-0009");
        Path w = tmp.newFolder("curl").toPath();
        Path[] idevid = d.files(w);
        Files.writeString(w.resolve("mpr.pem"), Pem.encode(parties.pki.certificate(Pki.MANUFACTURER, Pki.MASA_CA)));
        String base = parties.registrarUri().toString();
        String curl = "curl -sS --fail-with-body -k --cert " + idevid[0] + " --key " + idevid[1] + " ";
        // the registrar's certificate, as seen by an unauthenticated first look
        Proc.sh(w, "openssl s_client -connect 127.0.0.1:" + parties.registrar.port() + " </dev/null 2>/dev/null "
                + "| openssl x509 -outform DER -out registrar.der").ok("s_client");
        Proc.sh(w, "printf '{\"ietf-voucher-request:voucher\":{\"assertion\":\"proximity\",\"created-on\":\"%s\","
                + "\"serial-number\":\"SN-0009\",\"nonce\":\"" + NONCE + "\",\"proximity-registrar-cert\":\"%s\"}}' "
                + "\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$(base64 -w0 registrar.der)\" > vr.json").ok("json");
        Proc.sh(w, "openssl cms -sign -binary -nodetach -outform DER -in vr.json -signer " + idevid[0] + " -inkey " + idevid[1]
                + " -econtent_type 1.2.840.113549.1.9.16.1.40 -out vr.der").ok("openssl cms -sign");
        Proc.sh(w, curl + "-H 'Content-Type: application/voucher-cms+json' -H 'Accept: application/voucher-cms+json' "
                + "--data-binary @vr.der -o voucher.der " + base + Brski.REQUEST_VOUCHER + " || { cat voucher.der; exit 1; }")
                .ok("curl requestvoucher");
        String json = Proc.sh(w, "openssl cms -verify -inform DER -in voucher.der -CAfile mpr.pem -purpose any")
                .ok("openssl cms -verify").output();
        assertTrue(json, json.contains("\"nonce\":\"" + NONCE + "\"") && json.contains("\"serial-number\":\"SN-0009\""));
        // EST with the domain CA as the only trust from here on
        // D.0 as a pledge does it: the domain CA is the voucher's pinned-domain-cert, nothing known beforehand
        Proc.sh(w, "openssl cms -verify -inform DER -in voucher.der -CAfile mpr.pem -purpose any -out voucher.json")
                .ok("openssl cms -verify -out");
        Proc.sh(w, "grep -o '\"pinned-domain-cert\":\"[^\"]*\"' voucher.json | cut -d'\"' -f4 | base64 -d "
                + "| openssl x509 -inform DER -out pinned.pem").ok("pinned-domain-cert");
        assertArrayEquals(parties.pki.domainCa().getEncoded(),
                Pem.readCertificates(w.resolve("pinned.pem")).get(0).getEncoded());
        String est = "curl -sS --fail-with-body --cacert pinned.pem --cert " + idevid[0] + " --key " + idevid[1] + " ";
        Proc.sh(w, est + base + Est.CACERTS + " | base64 -d | openssl pkcs7 -inform DER -print_certs -out cacerts.pem")
                .ok("curl cacerts");
        Proc.sh(w, "openssl ecparam -name prime256v1 -genkey -noout -out ldevid.key && openssl req -new -key ldevid.key "
                + "-subj /serialNumber=SN-0009 -outform DER | base64 > csr.b64").ok("openssl req");
        Proc.sh(w, est + "-H 'Content-Type: application/pkcs10' --data-binary @csr.b64 " + base + Est.SIMPLEENROLL
                + " | base64 -d | openssl pkcs7 -inform DER -print_certs -out ldevid.pem").ok("curl simpleenroll");
        String verified = Proc.sh(w, "openssl verify -CAfile cacerts.pem -purpose sslclient ldevid.pem").ok("verify").output();
        assertTrue(verified, verified.contains("ldevid.pem: OK"));
        String subject = Proc.sh(w, "openssl x509 -in ldevid.pem -noout -subject").ok("x509").output();
        assertTrue(subject, subject.contains("serialNumber = SN-0009"));
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertRefused(int status, String part, Call call) throws Exception {
        try {
            call.run();
        } catch (PledgeSession.RegistrarAnswer e) {
            assertEquals(e.getMessage(), status, e.status());
            assertTrue(e.getMessage(), e.getMessage().contains(part));
            return;
        }
        throw new AssertionError("expected HTTP " + status + " (" + part + ")");
    }

    private static void assertStatus(int status, String part, HttpResponse<byte[]> r) {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(text, status, r.statusCode());
        assertTrue(text, text.contains(part));
    }
}
