package dev.avocado.idevid.internal;

import dev.avocado.protocol.x509.CheckTime;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepOutcome;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.testing.Configs;
import dev.avocado.api.testing.MemoryIdentity;
import dev.avocado.api.testing.MemoryKeys;
import dev.avocado.api.testing.RecordingSteps;
import dev.avocado.protocol.dpp.DppRecord;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.Pki;
import java.net.ServerSocket;
import java.net.URI;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The provisioner's branches (O.1 to O.d) against a real HTTPS manufacturer whose answers each test
 * chooses: real TLS under the MPR, real CSRs and certificates; the waits between tries are recorded,
 * not slept.
 */
public class IdevidProvisioningTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** One answer of the manufacturer's simpleenroll. */
    private interface Answer {
        HttpsServer.Reply to(PKCS10CertificationRequest csr) throws Exception;
    }

    private final ConcurrentLinkedQueue<Answer> enrollAnswers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Integer> recordAnswers = new ConcurrentLinkedQueue<>();
    private final List<String> recorded = new CopyOnWriteArrayList<>();
    private final AtomicInteger enrollments = new AtomicInteger();
    private final RecordingSteps steps = new RecordingSteps();
    private final List<Long> waits = new ArrayList<>();
    private final MemoryKeys keys = new MemoryKeys();
    private final MemoryIdentity identity = new MemoryIdentity();
    private Pki.Credential ca;
    private X509Certificate root;
    private ManufacturerRoot mpr;
    private HttpsServer factory;

    @Before
    public void manufacturer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Pki pki = new Pki(tmp.newFolder("pki").toPath());
        pki.init("Acme", "https://127.0.0.1:" + port, "masa.acme.test");
        ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        root = pki.root();
        Pki.Credential tls = pki.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
        mpr = new ManufacturerRoot(Pem.readCertificates(pki.mpr()), URI.create("https://127.0.0.1:" + port),
                pki.mpr().toString(), "00", null);
        factory = HttpsServer.builder("test factory").bind("127.0.0.1", port)
                .tls(TlsContexts.anyClient(new TlsContexts.Credential(tls.key(), tls.withChain())), HttpsServer.ClientAuth.WANT)
                .route("POST", Est.SIMPLEENROLL, x -> {
                    enrollments.incrementAndGet();
                    Answer chosen = enrollAnswers.poll();
                    Answer a = chosen != null ? chosen : this::issue;
                    return a.to(Est.parseCsr(x.body()));
                })
                // as the factory answers (FactoryServiceTest): the IDevID CA and the root
                .route("GET", Est.CACERTS, x -> HttpsServer.Reply.est(Est.CERTS_ONLY,
                        Est.certsOnly(List.of(ca.certificate(), root))))
                .route("POST", DppRecord.PATH, x -> {
                    Integer status = recordAnswers.poll();
                    recorded.add(x.bodyText());
                    return HttpsServer.Reply.json(status != null ? status : 200, "{}");
                })
                .start();
    }

    @After
    public void stop() throws Exception {
        factory.close();
    }

    /** What the manufacturer's CA issues for a CSR: an IDevID for its key and subject, alone (RFC 7030 4.2.3). */
    private HttpsServer.Reply issue(PKCS10CertificationRequest csr) throws Exception {
        return certsOnly(issued(csr, new JcaPKCS10CertificationRequest(csr).getPublicKey()));
    }

    private X509Certificate issued(PKCS10CertificationRequest csr, PublicKey key) {
        return IdevidProfile.issue(ca.certificate(), ca.key(), null, csr.getSubject(), key, "masa.acme.test",
                Instant.now().minusSeconds(60));
    }

    private static HttpsServer.Reply certsOnly(X509Certificate cert) {
        return HttpsServer.Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(cert)));
    }

    private static byte[] base64(byte[] der) {
        return Base64.getEncoder().encode(der);
    }

    /** Records a wait instead of sleeping; a run that would retry for ever fails the test with its steps. */
    private void await(long millis) {
        waits.add(millis);
        if (waits.size() > 5) {
            throw new AssertionError("still retrying after " + waits.size() + " tries: " + steps.records());
        }
    }

    private DeviceIdentity provision() throws Exception {
        return provision(CheckTime.system());
    }

    private DeviceIdentity provision(CheckTime time) throws Exception {
        ProvisionerConfig config = config(Map.of("serial", "SN-T1"));
        return new IdevidProvisioning(new IdevidProvisioning.Context(mpr, keys, identity, steps, config, this::await, time)).run();
    }

    /**
     * A device whose clock is three years behind provisions with its clock (CheckTime.atLeast): the
     * factory's certificate and the IDevID, issued after that clock, are taken. Checked at that clock as
     * it is, the factory's certificate would not be valid yet.
     */
    @Test
    public void aDeviceWhoseClockIsYearsBehindProvisions() throws Exception {
        Instant behind = Instant.now().minus(java.time.Duration.ofDays(3 * 365));
        DeviceIdentity idevid = provision(CheckTime.atLeast(() -> behind));
        assertEquals("SN-T1", dev.avocado.protocol.x509.Names.serialNumber(idevid.certificate()).orElseThrow());

        AssertionError naive = assertThrows(AssertionError.class, () -> {
            identity.wipe();
            provision(CheckTime.fixed(behind));
        });
        assertTrue(naive.getMessage(), naive.getMessage().contains("is not valid before"));
    }

    /** A factory certificate that expired before the device's now is refused as expired, at every try. */
    @Test
    public void aFactoryCertificateThatExpiredBeforeTheDevicesNowIsRefused() throws Exception {
        Instant later = Instant.now().plus(java.time.Duration.ofDays(6 * 365)); // the factory's certificate: 5 years
        AssertionError e = assertThrows(AssertionError.class, () -> provision(CheckTime.atLeast(() -> later)));
        assertTrue(e.getMessage(), e.getMessage().contains("expired on"));
        assertEquals(0, enrollments.get());
        assertTrue(identity.idevid().isEmpty());
    }

    @Test
    public void aGoodAnswerIsCheckedBeforeO6IsDoneAndTheDeviceIsRecorded() throws Exception {
        DeviceIdentity idevid = provision();
        assertEquals(List.of("O.1 done", "O.2 done", "O.6 done", "O.7 done", "O.8 done", "O.c done", "O.d done"),
                steps.outcomes());
        // the stored chain has the CA from cacerts; the MPR root stays out of it (the only anchor)
        assertEquals(List.of(idevid.certificate(), ca.certificate()), idevid.chain());
        assertEquals(keys.find(KeyService.IDEVID).orElseThrow().publicKey(), idevid.certificate().getPublicKey());
        assertTrue(recorded.get(0), recorded.get(0).contains("\"serial\":\"SN-T1\"") && recorded.get(0).contains("DPP:"));
        assertTrue(identity.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.RECORDED).isPresent());
        assertTrue(waits.isEmpty());
    }

    @Test
    public void aRefusedCsrEndsTheRunAtO4AndSavesNothing() {
        enrollAnswers.add(csr -> HttpsServer.Reply.text(403, "serial SN-T1 is not on the allowlist"));
        ProvisioningException e = assertThrows(ProvisioningException.class, this::provision);
        assertEquals("O.4: the manufacturer rejected the CSR (HTTP 403): serial SN-T1 is not on the allowlist",
                e.getMessage());
        assertEquals(List.of("O.1 done", "O.2 done", "O.4 failed"), steps.outcomes());
        assertFalse(identity.idevid().isPresent());
        assertTrue(waits.isEmpty());
    }

    @Test
    public void aServerErrorIsTriedAgainWithBackoff() throws Exception {
        enrollAnswers.add(csr -> HttpsServer.Reply.text(503, "database is not available; try again"));
        enrollAnswers.add(csr -> HttpsServer.Reply.text(500, "internal error"));
        provision();
        assertEquals(List.of("O.1 done", "O.2 done", "O.3 failed", "O.3 failed", "O.6 done", "O.7 done", "O.8 done",
                "O.c done", "O.d done"), steps.outcomes());
        assertEquals(2, waits.size());
        String said = steps.records().stream().filter(r -> r.outcome() == StepOutcome.FAILED).findFirst().orElseThrow().detail();
        assertTrue(said, said.matches("the provisioning service answered HTTP 503: database is not available; try again; "
                + "trying again in \\d+ s"));
    }

    /** A manufacturer (or someone on its address) answers with a certificate for a key the device does not hold. */
    @Test
    public void aCertificateForAnotherKeyFailsO7AndIsNeverSaved() throws Exception {
        enrollAnswers.add(csr -> certsOnly(issued(csr, KeyPairs.ecP256().getPublic())));
        provision();
        assertEquals(List.of("O.1 done", "O.2 done", "O.7 failed", "O.6 done", "O.7 done", "O.8 done", "O.c done",
                "O.d done"), steps.outcomes());
        assertTrue(steps.detail(Step.O_7, StepOutcome.FAILED),
                steps.detail(Step.O_7, StepOutcome.FAILED).startsWith("the returned certificate is for another key than memory:idevid"));
        assertEquals(keys.find(KeyService.IDEVID).orElseThrow().publicKey(), identity.idevid().orElseThrow().certificate()
                .getPublicKey());
    }

    @Test
    public void anAnswerThatIsNoCertificateFailsO7() throws Exception {
        enrollAnswers.add(csr -> HttpsServer.Reply.est(Est.CERTS_ONLY, base64("not CMS".getBytes())));
        provision();
        assertTrue(steps.detail(Step.O_7, StepOutcome.FAILED),
                steps.detail(Step.O_7, StepOutcome.FAILED).startsWith("the answer is not an IDevID: "));
        assertEquals(1, waits.size());
    }

    @Test
    public void aLostRecordIsSentAgainAndTheIdevidIsKept() throws Exception {
        recordAnswers.add(503);
        provision();
        assertEquals(List.of("O.1 done", "O.2 done", "O.6 done", "O.7 done", "O.8 done", "O.c done", "O.d failed",
                "O.d done"), steps.outcomes());
        assertTrue(steps.detail(Step.O_D, StepOutcome.FAILED),
                steps.detail(Step.O_D, StepOutcome.FAILED).contains("; the IDevID is kept; trying again in "));
        assertEquals(2, recorded.size());
    }

    /** A run after a power cut between O.8 and O.d asks for no second IDevID, keeps the DPP URI, and records. */
    @Test
    public void aRunAfterO8OnlyFinishes() throws Exception {
        DeviceIdentity first = provision();
        MemoryIdentity cut = new MemoryIdentity();
        cut.saveIdevid(first.chain(), first.keyAlias());
        String dpp = identity.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.DPP).orElseThrow();
        cut.saveAttribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.DPP, dpp);
        RecordingSteps again = new RecordingSteps();
        int enrolled = enrollments.get();
        assertEquals(first.certificate(), new IdevidProvisioning(new IdevidProvisioning.Context(mpr, keys, cut, again,
                config(Map.of("serial", "SN-T1")), this::await, CheckTime.system())).run().certificate());
        assertEquals(List.of("O.d done"), again.outcomes());
        assertEquals(enrolled, enrollments.get());
        assertTrue(recorded.get(1), recorded.get(1).contains(dpp));
        assertTrue(cut.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.RECORDED).isPresent());
    }

    static ProvisionerConfig config(Map<String, Object> values) {
        return Configs.of(ProvisionerConfig.class, values);
    }
}
