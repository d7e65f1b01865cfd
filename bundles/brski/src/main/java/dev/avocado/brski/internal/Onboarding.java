package dev.avocado.brski.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.est.EstException;
import dev.avocado.protocol.http.Retrying;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.Names;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * One onboarding, steps B to E.1, on the pledge session of the protocol bundle. It keeps trying, with
 * backoff, until it has an LDevID: a registrar that cannot be found or reached, one that refuses, a
 * MASA that is down, a voucher that does not pass C.10: each is told as the step's outcome and tried
 * again. Nothing is saved until it passed its checks.
 */
final class Onboarding {

    /** Identity attributes beside the LDevID. */
    static final String VOUCHER = "voucher";
    static final String REGISTRAR = "registrar";

    /** What a run needs from outside. */
    record Context(ManufacturerRoot mpr, KeyService deviceKeys, KeyService ldevidKeys, IdentityStore identity,
            StepReporter steps, RegistrarFinder finder, BrskiConfig config, Path networkFolder, Retrying.Waiter waiter,
            DeviceClock clock) {
    }

    /** An attempt with one registrar did not end with an LDevID; when to try again if the registrar said. */
    static final class AttemptFailed extends Retrying.Again {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message, Duration retryAfter) {
            super(message, retryAfter);
        }
    }

    private final Context ctx;
    /** Backoff between attempts, and the cap on a registrar's Retry-After (the longest retry). */
    private final Retrying retrying;
    /** C.1's request while its answer has not come: asked again unchanged at the next attempt. */
    private final PendingRequest pending = new PendingRequest();

    Onboarding(Context ctx) {
        this.ctx = ctx;
        this.retrying = Retrying.withBackoff(Duration.ofSeconds(ctx.config().retryInitialSeconds()),
                Duration.ofSeconds(ctx.config().retryMaxSeconds()), ctx.waiter());
    }

    DeviceIdentity run() throws Exception {
        DeviceIdentity idevid = ctx.identity().idevid().orElseThrow(() -> new IllegalStateException(
                "B: the device has no IDevID to onboard with"));
        DeviceKey key = ctx.deviceKeys().find(idevid.keyAlias()).orElseThrow(() -> new IllegalStateException(
                "B: the IDevID's key " + idevid.keyAlias() + " is not in " + ctx.deviceKeys().describe()));
        String serial = Names.serialNumber(idevid.certificate()).orElseThrow(() -> new IllegalStateException(
                "B: the IDevID has no serialNumber"));
        TlsContexts.Credential credential = new TlsContexts.Credential(key.privateKey(), idevid.chain(),
                ctx.deviceKeys().provider());
        // C.10 accepts a voucher only from the MPR's MASA signer role, never from anything under its root
        ManufacturerTrust manufacturer = ManufacturerTrust.of(ctx.mpr().certificates());
        if (manufacturer.voucherAnchors().isEmpty()) {
            // no voucher could ever pass C.10: say so once instead of asking registrars and MASAs for ever
            ctx.steps().failed(Step.B, "the MPR " + ctx.mpr().source() + " names no MASA voucher-signing anchor");
            throw new IllegalStateException("B: the MPR " + ctx.mpr().source() + " names no MASA voucher-signing anchor: "
                    + "no voucher can be trusted (firmware with an MPR made by pki init holds one)");
        }
        return retrying.until(() -> {
            AttemptFailed last = null;
            for (URI registrar : discover()) {
                try {
                    return attempt(registrar, manufacturer, credential, key, serial);
                } catch (AttemptFailed e) {
                    last = e; // the next registrar; the last one's refusal and Retry-After are told
                }
            }
            throw last != null ? last : new Retrying.Again("no registrar found");
        }, (again, wait) -> ctx.steps().failed(Step.B, again.getMessage() + "; " + Retrying.tryingAgainIn(wait)));
    }

    /**
     * B: the registrars DNS-SD finds, then the configured one. Only the configured one when it is set
     * and no DNS-SD address is; DNS-SD on every link when neither is.
     */
    private List<URI> discover() throws InterruptedException {
        String configured = ctx.config().registrarUrl();
        List<URI> candidates = new ArrayList<>();
        if (configured.isBlank() || !ctx.config().dnsSdAddress().isBlank()) {
            ctx.steps().started(Step.B, "browsing DNS-SD for " + RegistrarFinder.SERVICE);
            List<URI> found = ctx.finder().find(Duration.ofSeconds(ctx.config().discoverySeconds()));
            if (!found.isEmpty()) {
                ctx.steps().done(Step.B, "registrar " + found.get(0) + " (DNS-SD" + (found.size() > 1 ? ", " + found.size()
                        + " found" : "") + ")");
            }
            candidates.addAll(found);
        }
        if (!configured.isBlank()) {
            URI uri = URI.create(configured);
            if (candidates.isEmpty()) {
                ctx.steps().done(Step.B, "registrar " + uri + " (configured)");
            }
            if (!candidates.contains(uri)) {
                candidates.add(uri);
            }
        }
        return candidates;
    }

    /**
     * Signed by the MASA and bound to this request's nonce, the voucher says the time is at least its
     * created-on; taken only when the voucher signer passes the MASA signer check at that instant (the
     * same check C.10 made at the device's now) and the voucher had not expired by it.
     */
    private void learnTime(PledgeSession.Accepted accepted, ManufacturerTrust manufacturer) {
        dev.avocado.protocol.voucher.Voucher v = accepted.voucher().voucher();
        X509Certificate signer = accepted.voucher().signer();
        if (v.createdOn() == null) {
            return;
        }
        java.time.Instant created = v.createdOn().toInstant();
        if (v.expiresOn() != null && created.isAfter(v.expiresOn().toInstant())) {
            return;
        }
        try {
            manufacturer.checkVoucherSigner(signer, accepted.voucher().certificates(), created);
        } catch (ProfileException e) {
            return;
        }
        ctx.clock().learned(created, "the created-on of the voucher from " + Names.display(signer.getSubjectX500Principal()));
    }

    /** When certificates and vouchers are checked: the device's now, never before what it knows. */
    private CheckTime time() {
        return CheckTime.atLeast(ctx.clock()::now);
    }

    /** C.0 to E.1 with one registrar. */
    private DeviceIdentity attempt(URI registrar, ManufacturerTrust manufacturer, TlsContexts.Credential credential,
            DeviceKey idevidKey, String serial) throws AttemptFailed, InterruptedException {
        PledgeSession session = new PledgeSession(registrar, credential, serial, manufacturer,
                Duration.ofSeconds(ctx.config().connectTimeoutSeconds()), Duration.ofSeconds(ctx.config().requestTimeoutSeconds()),
                time());
        X509Certificate registrarCert;
        try {
            ctx.steps().started(Step.C_0, "TLS to " + registrar + " with the IDevID key at " + idevidKey.location());
            registrarCert = session.connect();
        } catch (IOException e) {
            throw failed(Step.C_0, "the registrar at " + registrar + " cannot be reached: " + message(e), null);
        }
        ctx.steps().done(Step.C_0, "provisional TLS with " + Names.display(registrarCert.getSubjectX500Principal())
                + ", authenticated by the IDevID key at " + idevidKey.location());
        String nonce;
        byte[] request;
        Optional<PendingRequest.Signed> again = pending.again(registrarCert);
        if (again.isPresent()) {
            nonce = again.get().nonce();
            request = again.get().request();
            ctx.steps().done(Step.C_1, "the voucher request of the last attempt (nonce " + nonce + "), whose answer did not "
                    + "come, asked again unchanged: a MASA that logged a voucher for it answers with that one");
        } else {
            try {
                // YANG binary: standard base64 with padding (RFC 7951 section 6.6), which strict decoders take
                nonce = Base64.getEncoder().encodeToString(ctx.deviceKeys().random(16));
                request = session.voucherRequest(nonce);
            } catch (Exception e) {
                throw failed(Step.C_1, "the voucher request cannot be signed by " + idevidKey.location() + ": " + message(e),
                        null);
            }
            pending.signed(registrarCert, nonce, request);
            ctx.steps().done(Step.C_1, "voucher request (nonce " + nonce + ") signed by the IDevID key at "
                    + idevidKey.location());
        }
        byte[] voucher = requestVoucher(session, request);
        pending.answered();
        ctx.steps().done(Step.C_9, "voucher received (" + voucher.length + " bytes): the registrar (C.3, C.8) and the "
                + "MASA (C.5, C.6) accepted the request");

        PledgeSession.Accepted accepted;
        try {
            accepted = session.acceptVoucher(voucher, nonce);
        } catch (VoucherException e) {
            report(() -> session.voucherStatus(false, e.getMessage()));
            throw failed(Step.C_10, "the voucher does not pass: " + e.getMessage(), null);
        }
        ctx.steps().done(Step.C_10, "voucher " + accepted.voucher().voucher().assertion() + " from "
                + Names.display(accepted.voucher().signer().getSubjectX500Principal()) + " (MASA signer role of the MPR), serial and nonce "
                + "match; pins " + Names.display(accepted.pinned().getSubjectX500Principal()));
        learnTime(accepted, manufacturer);
        report(() -> session.voucherStatus(true, "voucher accepted"));
        ctx.steps().done(Step.D_0, "the registrar's TLS certificate " + Names.display(registrarCert.getSubjectX500Principal())
                + " is in the pinned domain; TLS now trusts " + Names.display(accepted.pinned().getSubjectX500Principal()));
        try {
            DeviceIdentity ldevid = enroll(session, accepted, serial);
            report(() -> session.enrollStatus(true, "LDevID saved"));
            save(registrar, voucher, ldevid);
            NetworkProfile.e1(ldevid, serial, ctx.ldevidKeys(), ctx.steps(), ctx.config(), ctx.networkFolder());
            return ldevid;
        } catch (AttemptFailed e) {
            report(() -> session.enrollStatus(false, e.getMessage()));
            throw e;
        }
    }

    /**
     * C.2: sends the request; while the owner has not approved (202), asks again after Retry-After
     * (at most the longest retry), for at most the longest approval wait, then moves on.
     */
    private byte[] requestVoucher(PledgeSession session, byte[] request) throws AttemptFailed, InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(ctx.config().approvalWaitSeconds()).toNanos();
        while (true) {
            ctx.steps().started(Step.C_2, "voucher request to " + session.registrar());
            try {
                return session.requestVoucher(request);
            } catch (PledgeSession.RegistrarAnswer a) {
                if (a.status() == 202) {
                    Duration wait = Duration.ofMillis(retrying.capped(a.retryAfter()));
                    if (System.nanoTime() + wait.toNanos() - giveUp > 0) {
                        throw failed(Step.C_3, "the registrar at " + session.registrar() + " held the request for "
                                + ctx.config().approvalWaitSeconds() + " s without an answer (longest approval wait); "
                                + "trying the next registrar", null);
                    }
                    // not a failure: the registrar checked the request and waits for its owner
                    ctx.steps().waiting(Step.C_3, "the registrar holds the request: " + a.getMessage() + "; asking again in "
                            + wait.toSeconds() + " s");
                    ctx.waiter().await(wait.toMillis());
                    continue;
                }
                if (a.status() < 500) {
                    pending.answered(); // refused, not lost: the next attempt signs anew
                }
                throw failed(refusedAt(a), a.getMessage(), a.retryAfter());
            } catch (IOException e) {
                throw failed(Step.C_2, "the voucher request to " + session.registrar() + " failed: " + message(e), null);
            }
        }
    }

    /** D.1 to D.7. */
    private DeviceIdentity enroll(PledgeSession session, PledgeSession.Accepted accepted, String serial)
            throws AttemptFailed, InterruptedException {
        List<X509Certificate> cacerts;
        String algorithm;
        try {
            cacerts = session.cacerts();
            for (X509Certificate ca : cacerts) {
                dev.avocado.protocol.brski.DomainCerts.checkInDomain(List.of(ca), accepted.pinned(), time().at(List.of(ca)));
            }
            algorithm = session.csrKeyAlgorithm();
        } catch (PledgeSession.RegistrarAnswer | IOException | EstException | VoucherException e) {
            throw failed(Step.D_3, "EST cacerts/csrattrs: " + message(e), null);
        }
        DeviceKey key;
        try {
            KeyAlgorithm wanted = KeyAlgorithm.valueOf(algorithm);
            key = ctx.ldevidKeys().find(KeyService.LDEVID).orElse(null);
            if (key != null && key.algorithm() != wanted) {
                ctx.ldevidKeys().destroy(KeyService.LDEVID);
                key = null;
            }
            if (key == null) {
                key = ctx.ldevidKeys().create(KeyService.LDEVID, wanted);
            }
        } catch (Exception e) {
            throw failed(Step.D_1, "the LDevID key cannot be made in " + ctx.ldevidKeys().describe() + ": " + message(e), null);
        }
        ctx.steps().done(Step.D_1, "LDevID key (" + key.algorithm() + ", as csrattrs asks) at " + key.location()
                + (ctx.ldevidKeys().secureStorage() ? "" : " (NOT in secure storage: a software key)"));
        PKCS10CertificationRequest csr = csr(serial, key);
        ctx.steps().done(Step.D_2, "CSR for serialNumber=" + serial + " signed by " + key.location());
        List<X509Certificate> issued;
        try {
            ctx.steps().started(Step.D_3, "EST simpleenroll to " + session.registrar());
            issued = session.enroll(csr);
        } catch (PledgeSession.RegistrarAnswer a) {
            throw failed(Step.D_4, a.getMessage(), a.retryAfter());
        } catch (IOException | EstException e) {
            throw failed(Step.D_3, "EST simpleenroll: " + message(e), null);
        }
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(issued.get(0));
        cacerts.stream().filter(c -> !c.equals(issued.get(0))).forEach(chain::add);
        try {
            LdevidProfile.check(chain, List.of(accepted.pinned()), key.publicKey(), serial,
                    time().at(chain.get(0), chain, List.of(accepted.pinned())));
        } catch (ProfileException e) {
            throw failed(Step.D_6, e.getMessage(), null);
        }
        ctx.steps().done(Step.D_6, "LDevID " + Names.display(chain.get(0).getSubjectX500Principal()) + " issued by "
                + Names.display(chain.get(0).getIssuerX500Principal()) + ", valid until " + chain.get(0).getNotAfter().toInstant());
        try {
            DeviceIdentity ldevid = ctx.identity().saveLdevid(chain, KeyService.LDEVID);
            ctx.steps().done(Step.D_7, "LDevID saved at " + ldevid.location());
            return ldevid;
        } catch (Exception e) {
            throw failed(Step.D_7, "the LDevID cannot be saved: " + message(e), null);
        }
    }

    /** The voucher, the registrar and the domain CA beside the LDevID: for the shell and for re-enrollment. */
    private void save(URI registrar, byte[] voucher, DeviceIdentity ldevid) throws AttemptFailed {
        try {
            ctx.identity().saveAttribute(DeviceIdentity.Kind.LDEVID, VOUCHER, Base64.getEncoder().encodeToString(voucher));
            ctx.identity().saveAttribute(DeviceIdentity.Kind.LDEVID, REGISTRAR, registrar.toString());
        } catch (Exception e) {
            throw failed(Step.D_7, "cannot keep the voucher beside the LDevID: " + message(e), null);
        }
    }

    /** D.2: the CSR, signed by the LDevID key wherever it lives. */
    static PKCS10CertificationRequest csr(String serial, DeviceKey key, KeyService keys) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.SERIALNUMBER, serial).build();
        try {
            return CertificateBuilder.csr(subject, key.publicKey(), key.privateKey(), keys.provider());
        } catch (Exception e) {
            throw new IllegalStateException("D.2: the CSR cannot be signed by " + key.location() + ": " + e.getMessage(), e);
        }
    }

    private PKCS10CertificationRequest csr(String serial, DeviceKey key) {
        return csr(serial, key, ctx.ldevidKeys());
    }

    /** A report the registrar may not take: it does not change the outcome. */
    private interface Report {
        void send() throws Exception;
    }

    private void report(Report r) {
        try {
            r.send();
        } catch (Exception e) {
            // a lost status report changes nothing on the device; the registrar's log will lack it
        }
    }

    /**
     * The step that refused the voucher request: the one the registrar names (C.4 to C.8 for what its
     * MASA did), else C.4 for a server failure and C.3 for the registrar's own refusal.
     */
    static Step refusedAt(PledgeSession.RegistrarAnswer a) {
        Step told = a.step().map(label -> {
            try {
                return Step.ofLabel(label);
            } catch (IllegalArgumentException e) {
                return null; // a step this pledge does not know: the status decides
            }
        }).filter(s -> s.compareTo(Step.C_3) >= 0 && s.compareTo(Step.C_8) <= 0).orElse(null);
        return told != null ? told : a.status() >= 500 ? Step.C_4 : Step.C_3;
    }

    private AttemptFailed failed(Step step, String message, Duration retryAfter) {
        ctx.steps().failed(step, message);
        return new AttemptFailed(step.label() + ": " + message, retryAfter);
    }

    static String message(Throwable e) {
        return dev.avocado.protocol.http.Failures.describe(e);
    }
}
