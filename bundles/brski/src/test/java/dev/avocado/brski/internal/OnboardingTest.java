package dev.avocado.brski.internal;

import dev.avocado.api.testing.FloorAt;
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
import dev.avocado.masa.MasaService;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.registrar.Parties;
import dev.avocado.registrar.RegistrarService;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The pledge's branches (B to E.1) against a real registrar and MASA on loopback: each wait the pledge
 * would sleep is handed to the test instead, which changes the world there (approves, starts the MASA,
 * finds the registrar) and lets the pledge go on.
 */
public class OnboardingTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Parties parties;
    private final RecordingSteps steps = new RecordingSteps();
    private final MemoryKeys deviceKeys = new MemoryKeys();
    private final MemoryKeys ldevidKeys = new MemoryKeys();
    private final MemoryIdentity identity = new MemoryIdentity();
    private final List<Long> waits = new CopyOnWriteArrayList<>();
    /** What the test does at each wait, in turn; a wait past them fails the test. */
    private final List<Runnable> atWaits = new ArrayList<>();
    private final List<URI> registrars = new CopyOnWriteArrayList<>();
    private Path network;

    @Before
    public void parties() throws Exception {
        parties = new Parties(tmp.newFolder("parties").toPath());
        network = tmp.newFolder("network").toPath();
    }

    @After
    public void stop() throws Exception {
        parties.close();
    }

    private void await(long millis) throws InterruptedException {
        waits.add(millis);
        if (waits.size() > atWaits.size()) {
            throw new InterruptedException("the test stops the pledge at wait " + waits.size() + ": " + steps.outcomes());
        }
        atWaits.get(waits.size() - 1).run();
    }

    private DeviceIdentity onboard(List<X509Certificate> mpr) throws Exception {
        Parties.Device d = parties.device("SN-P1");
        deviceKeys.put(KeyService.IDEVID, new java.security.KeyPair(d.key().getPublic(), d.key().getPrivate()));
        identity.saveIdevid(d.chain(), KeyService.IDEVID);
        BrskiConfig config = Configs.of(BrskiConfig.class, Map.of("registrarUrl", "", "ssid", "test-net"));
        ManufacturerRoot root = new ManufacturerRoot(mpr, URI.create("https://127.0.0.1:8443"), "p1/mpr/mpr.pem", "00", null);
        RegistrarFinder finder = time -> List.copyOf(registrars);
        return new Onboarding(new Onboarding.Context(root, deviceKeys, ldevidKeys, identity, steps, finder, config, network,
                this::await, FloorAt.none())).run();
    }

    private void approve() {
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertEquals(1, admin.approve(List.of("SN-P1")));
        } catch (Exception e) {
            throw new AssertionError("approve: " + e.getMessage(), e);
        }
    }

    @Test
    public void anOwnerWhoApprovesLateIsWaitedForNotFailed() throws Exception {
        parties.start(RegistrarService.Approval.MANUAL, MasaService.Ownership.FIRST_CLAIM);
        registrars.add(parties.registrarUri());
        atWaits.add(this::approve);
        DeviceIdentity ldevid = onboard(parties.pki.mprCertificates());
        assertEquals(List.of("B done", "C.0 done", "C.1 done", "C.3 waiting", "C.9 done", "C.10 done", "D.0 done",
                "D.1 done", "D.2 done", "D.6 done", "D.7 done", "E.1 failed"), steps.outcomes());
        // a key in memory is no file wpa_supplicant can read: E.1 says so, and the LDevID is kept
        assertTrue(steps.detail(Step.E_1, StepOutcome.FAILED), steps.detail(Step.E_1, StepOutcome.FAILED)
                .startsWith("the LDevID key is at memory:ldevid, which wpa_supplicant cannot"));
        assertTrue(steps.detail(Step.C_3, StepOutcome.WAITING), steps.detail(Step.C_3, StepOutcome.WAITING)
                .startsWith("the registrar holds the request: "));
        assertEquals(ldevidKeys.find(KeyService.LDEVID).orElseThrow().publicKey(), ldevid.certificate().getPublicKey());
        assertEquals(identity.ldevid().orElseThrow(), ldevid);
    }

    @Test
    public void noRegistrarIsTriedAgainAtB() throws Exception {
        parties.start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        atWaits.add(() -> registrars.add(parties.registrarUri()));
        onboard(parties.pki.mprCertificates());
        assertEquals("B failed", steps.outcomes().get(0));
        assertTrue(steps.detail(Step.B, StepOutcome.FAILED),
                steps.detail(Step.B, StepOutcome.FAILED).matches("no registrar found; trying again in \\d+ s"));
        assertTrue(steps.outcomes().toString(), steps.outcomes().contains("D.7 done"));
    }

    /** The registrar is up, its MASA is not: the pledge hears a server-side failure, and asks again later. */
    @Test
    public void aMasaThatIsDownIsTriedAgain() throws Exception {
        parties.startMasa(MasaService.Ownership.FIRST_CLAIM);
        parties.stopMasa();
        parties.startRegistrar(RegistrarService.Approval.AUTO, Duration.ofDays(365));
        registrars.add(parties.registrarUri());
        atWaits.add(() -> {
            try {
                parties.startMasa(MasaService.Ownership.FIRST_CLAIM);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        onboard(parties.pki.mprCertificates());
        List<String> o = steps.outcomes();
        assertEquals(List.of("B done", "C.0 done", "C.1 done", "C.4 failed", "B failed"), o.subList(0, 5));
        assertEquals(StepOutcome.FAILED, steps.records().stream().filter(r -> r.step() == Step.C_4).findFirst()
                .orElseThrow().outcome());
        assertTrue(o.toString(), o.contains("D.7 done"));
        assertFalse(o.contains("C.3 failed"));
        // the registrar's Retry-After (1 s), not the backoff
        assertEquals(Long.valueOf(1000), waits.get(0));
        // the request whose answer did not come is asked again unchanged: the same nonce
        List<String> c1 = steps.records().stream().filter(r -> r.step() == Step.C_1 && r.outcome() == StepOutcome.DONE)
                .map(r -> r.detail()).toList();
        assertEquals(c1.toString(), 2, c1.size());
        String nonce = c1.get(0).replaceAll(".*\\(nonce ([^)]+)\\).*", "$1");
        assertTrue(c1.toString(), c1.get(1).startsWith("the voucher request of the last attempt (nonce " + nonce + "), whose "
                + "answer did not come, asked again unchanged"));
    }

    /** The MASA refuses (no sales record names this owner): the registrar says so, and the pledge tells C.5, not C.3. */
    @Test
    public void aMasaRefusalIsToldAsC5() throws Exception {
        parties.start(RegistrarService.Approval.AUTO, MasaService.Ownership.RECORDS);
        registrars.add(parties.registrarUri());
        assertThrows(InterruptedException.class, () -> onboard(parties.pki.mprCertificates()));
        assertEquals(List.of("B done", "C.0 done", "C.1 done", "C.5 failed", "B failed"), steps.outcomes());
        assertTrue(steps.detail(Step.C_5, StepOutcome.FAILED), steps.detail(Step.C_5, StepOutcome.FAILED)
                .endsWith("the MASA refused the voucher (HTTP 404): serial SN-P1 has no ownership record at this MASA"));
    }

    /**
     * A rogue registrar names a device step (C.10) and then a step nobody knows for its own refusal: the
     * pledge takes neither, and tells its registrar's refusal as C.3.
     */
    @Test
    public void aRegistrarCannotBlameADeviceStep() throws Exception {
        parties.start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        dev.avocado.server.Pki.Credential tls = parties.pki.load(dev.avocado.server.Pki.OWNER,
                dev.avocado.server.Pki.REGISTRAR_TLS);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        try (dev.avocado.server.HttpsServer rogue = dev.avocado.server.HttpsServer.builder("rogue").bind("127.0.0.1", 0)
                .tls(dev.avocado.protocol.tls.TlsContexts.anyClient(new dev.avocado.protocol.tls.TlsContexts.Credential(
                        tls.key(), List.of(tls.certificate(), parties.pki.domainCa()))),
                        dev.avocado.server.HttpsServer.ClientAuth.WANT)
                .route("POST", dev.avocado.protocol.brski.Brski.REQUEST_VOUCHER, ex -> dev.avocado.server.HttpsServer.Reply
                        .text(403, "refused").header(dev.avocado.protocol.brski.Brski.STEP_HEADER,
                                asked.getAndIncrement() == 0 ? "C.10" : "Z.9"))
                .start()) {
            registrars.add(URI.create("https://127.0.0.1:" + rogue.port()));
            atWaits.add(() -> { });
            assertThrows(InterruptedException.class, () -> onboard(parties.pki.mprCertificates()));
        }
        assertEquals(List.of("B done", "C.0 done", "C.1 done", "C.3 failed", "B failed",
                "B done", "C.0 done", "C.1 done", "C.3 failed", "B failed"), steps.outcomes());
        assertFalse(steps.outcomes().contains("C.10 failed"));
    }

    /**
     * A voucher the MPR does not back (signed by the manufacturer's real MASA, but this device's MPR names
     * another MASA anchor): C.10 refuses it, nothing is saved, and the pledge asks again.
     */
    @Test
    public void aVoucherFromAnotherMasaFailsC10AndNothingIsSaved() throws Exception {
        parties.start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        registrars.add(parties.registrarUri());
        X509Certificate root = parties.pki.mprCertificates().stream()
                .filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && c.getBasicConstraints() >= 0)
                .findFirst().orElseThrow();
        X509Certificate otherMasa = MprProfile.issueVoucherAnchor(KeyPairs.ecP256(), "CN=Other MASA,O=Elsewhere",
                Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)));
        InterruptedException stopped = assertThrows(InterruptedException.class, () -> onboard(List.of(root, otherMasa)));
        assertTrue(stopped.getMessage(), stopped.getMessage().startsWith("the test stops the pledge at wait 1"));
        assertEquals(List.of("B done", "C.0 done", "C.1 done", "C.9 done", "C.10 failed", "B failed"), steps.outcomes());
        assertTrue(identity.ldevid().isEmpty());
        assertTrue(ldevidKeys.list().isEmpty());
    }

    @Test
    public void anMprWithoutAMasaAnchorEndsAtBWithoutAsking() throws Exception {
        parties.start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM);
        registrars.add(parties.registrarUri());
        X509Certificate root = parties.pki.mprCertificates().get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> onboard(List.of(root)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("B: the MPR p1/mpr/mpr.pem names no MASA voucher-signing anchor"));
        assertEquals(List.of("B failed"), steps.outcomes());
        assertTrue(waits.isEmpty());
    }
}
