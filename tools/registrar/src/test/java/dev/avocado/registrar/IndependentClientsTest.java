package dev.avocado.registrar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.BcEst;
import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.PledgeRequests;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.voucher.PeerCms;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.protocol.x509.Oids;
import dev.avocado.server.Pki;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The registrar with clients that are not ours (issue 9): a pledge that sends its IDevID alone in TLS
 * and writes its CMS signed attributes in its own order, and BouncyCastle's EST client (bcpkix
 * org.bouncycastle.est) with its own TLS stack and key, for cacerts, csrattrs, simpleenroll and
 * simplereenroll. The MASA is the real one; nothing is mocked.
 */
public class IndependentClientsTest {

    private static final String NONCE = "Zm9yZWlnbi1wbGVkZ2Utbm9uY2UtMDE=";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Parties parties;

    @Before
    public void start() throws Exception {
        parties = new Parties(tmp.getRoot().toPath()).start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
    }

    @After
    public void stop() throws Exception {
        parties.close();
    }

    /** A pledge of another implementation: its IDevID alone, no intermediate, in TLS and in its CMS. */
    private Parties.Device leafOnly(String serial) throws Exception {
        Parties.Device d = parties.device(serial);
        return new Parties.Device(serial, d.key(), List.of(d.chain().get(0)));
    }

    private PledgeSession session(Parties.Device d) throws Exception {
        return new PledgeSession(parties.registrarUri(), d.credential(), d.serial(), Parties.trust(parties.pki),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private byte[] peerRequest(Parties.Device d, X509Certificate registrarTls) throws Exception {
        byte[] json = PledgeRequests.create(OffsetDateTime.now(), d.serial(), NONCE, registrarTls).toJson();
        return PeerCms.signedAsSent(json, d.key().getPrivate(), d.chain());
    }

    @Test
    public void aLeafOnlyPledgeWithItsOwnAttributeOrderGetsItsVoucherAndBouncyCastleEnrollsIt() throws Exception {
        Parties.Device d = leafOnly("SN-PEER-1");
        PledgeSession s = session(d);
        X509Certificate registrarTls = s.connect();
        // C.1 to C.10: the registrar builds the IDevID's path with the IDevID CA it knows, verifies the
        // signed attributes as they were sent, and so does the MASA with the request inside its own
        byte[] voucher = s.requestVoucher(peerRequest(d, registrarTls));
        PledgeSession.Accepted accepted = s.acceptVoucher(voucher, NONCE, Instant.now());
        assertEquals(parties.pki.domainCa(), accepted.pinned());
        s.voucherStatus(true, "voucher accepted");

        // EST by BouncyCastle's client, trusting the pinned domain CA, authenticated by the IDevID alone
        X509Certificate trust = accepted.pinned();
        ESTService anonymous = est(trust, null, null);
        assertEquals(List.of(parties.pki.domainCa()), BcEst.certificates(anonymous.getCACerts().getCertificateStore().getMatches(null)));
        org.bouncycastle.est.CSRAttributesResponse attrs = anonymous.getCSRAttributes().getAttributesResponse();
        assertTrue(attrs.hasRequirement(Oids.SERIAL_NUMBER) && attrs.hasRequirement(X9ObjectIdentifiers.ecdsa_with_SHA256));

        KeyPair ldevidKey = KeyPairs.ecP256();
        List<X509Certificate> ldevid = BcEst.certificates(est(trust, d.key(), d.chain())
                .simpleEnroll(false, csr("SERIALNUMBER=SN-PEER-1", ldevidKey), null).getStore().getMatches(null));
        assertEquals("the issued certificate only (RFC 7030 4.2.3)", 1, ldevid.size());
        LdevidProfile.check(ldevid, List.of(parties.pki.domainCa()), ldevidKey.getPublic(), "SN-PEER-1", Instant.now());

        // simplereenroll, authenticated by that LDevID: a new one replaces it
        KeyPair renewedKey = KeyPairs.ecP256();
        List<X509Certificate> renewed = BcEst.certificates(est(trust, ldevidKey, ldevid)
                .simpleEnroll(true, csr("SERIALNUMBER=SN-PEER-1", renewedKey), null).getStore().getMatches(null));
        LdevidProfile.check(renewed, List.of(parties.pki.domainCa()), renewedKey.getPublic(), "SN-PEER-1", Instant.now());
        assertNotEquals(ldevid.get(0).getSerialNumber(), renewed.get(0).getSerialNumber());
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            List<String> lines = admin.ldevids("SN-PEER-1");
            assertTrue(lines.toString(), lines.size() == 2 && lines.get(0).contains("replaced") && lines.get(1).contains("live"));
        }
    }

    /**
     * What the tolerance must still refuse: the same pledge's request with its attributes put in another
     * order after signing (the values unchanged, the signed bytes not); and an IDevID whose CA the
     * registrar does not know, sent alone. Nothing is stored.
     */
    @Test
    public void reorderedAttributesAndUnknownIntermediatesAreStillRefused() throws Exception {
        Parties.Device d = leafOnly("SN-PEER-2");
        PledgeSession s = session(d);
        X509Certificate registrarTls = s.connect();
        byte[] json = PledgeRequests.create(OffsetDateTime.now(), d.serial(), NONCE, registrarTls).toJson();
        PledgeSession.RegistrarAnswer tricked = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> s.requestVoucher(PeerCms.reorderedAfterSigning(json, d.key().getPrivate(), d.chain())));
        assertEquals(400, tricked.status());
        assertTrue(tricked.getMessage(), tricked.getMessage().contains("the voucher request is malformed: the signature does not "
                + "verify, over the DER encoding of the signed attributes (RFC 5652 5.4) nor over their encoding as received"));

        // an IDevID under a CA of the manufacturer that is no intermediate the registrar knows, sent alone
        Pki.Credential root = parties.pki.load(Pki.MANUFACTURER, Pki.ROOT);
        KeyPair strayCaKey = KeyPairs.ecP256();
        X509Certificate strayCa = dev.avocado.protocol.x509.CertificateBuilder.subject("O=Acme,CN=Acme Stray CA",
                strayCaKey.getPublic()).issuer(root.certificate(), root.key()).validity(Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600)).ca(0).keyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign).build();
        KeyPair strayKey = KeyPairs.ecP256();
        X509Certificate stray = dev.avocado.protocol.profile.IdevidProfile.issue(strayCa, strayCaKey.getPrivate(), null,
                dev.avocado.protocol.profile.IdevidProfile.fixedSubject("Acme", "SN-PEER-3"), strayKey.getPublic(),
                "127.0.0.1:" + parties.masa.port(), Instant.now().minusSeconds(60));
        Parties.Device strayDevice = new Parties.Device("SN-PEER-3", strayKey, List.of(stray));
        PledgeSession straySession = session(strayDevice);
        straySession.connect();
        PledgeSession.RegistrarAnswer unknown = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> straySession.requestVoucher(peerRequest(strayDevice, registrarTls)));
        assertEquals(403, unknown.status());
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("is not an IDevID of a manufacturer this registrar trusts")
                && unknown.getMessage().contains("does not chain to the manufacturer root"));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertEquals(0, admin.count("vouchers"));
        }
    }

    /** BouncyCastle's EST client on its own TLS stack (the JDK's JSSE), with a client key or none. */
    private ESTService est(X509Certificate anchor, KeyPair key, List<X509Certificate> chain) throws Exception {
        return BcEst.client("127.0.0.1:" + parties.registrar.port(), anchor, key, chain);
    }

    private static PKCS10CertificationRequest csr(String subject, KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }
}
