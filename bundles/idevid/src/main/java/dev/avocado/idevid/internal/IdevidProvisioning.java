package dev.avocado.idevid.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.protocol.dpp.DppRecord;
import dev.avocado.protocol.dpp.DppUri;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;
import dev.avocado.protocol.http.Failures;
import dev.avocado.protocol.http.HttpsClient;
import dev.avocado.protocol.http.Retrying;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.Names;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import dev.avocado.protocol.x509.CheckTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * One provisioning run, steps O.1 to O.d. It resumes: an IDevID already saved is not asked for again,
 * a DPP URI already made is kept, and only a record the manufacturer confirmed is not sent again. The
 * manufacturer rejecting the CSR (HTTP 4xx) ends the run; an unreachable service, an untrusted server,
 * a garbage answer or a certificate that fails O.7 is tried again with backoff, and nothing is saved
 * until a good IDevID arrives.
 */
final class IdevidProvisioning {

    /** Identity attribute: the DPP URI of the IDevID key (O.c). */
    static final String DPP = "dpp";
    /** Identity attribute: when the manufacturer confirmed the record (O.d). */
    static final String RECORDED = "recorded";

    /** What the run needs from outside. */
    record Context(ManufacturerRoot mpr, KeyService keys, IdentityStore identity, StepReporter steps, ProvisionerConfig config,
            Retrying.Waiter waiter, CheckTime time) {
    }

    private final Context ctx;
    private final ObjectMapper json = new ObjectMapper();

    IdevidProvisioning(Context ctx) {
        this.ctx = ctx;
    }

    DeviceIdentity run() throws Exception {
        String serial = SerialSource.read(ctx.config().serialSource(), ctx.config().serial());
        DeviceIdentity idevid = ctx.identity().idevid().orElse(null);
        DeviceKey key;
        if (idevid == null) {
            ctx.steps().started(Step.O_1, "key " + KeyService.IDEVID + " in " + ctx.keys().describe());
            key = ctx.keys().findOrCreate(KeyService.IDEVID, KeyAlgorithm.valueOf(ctx.config().keyAlgorithm()));
            ctx.steps().done(Step.O_1, "key " + key.alias() + " at " + key.location());

            PKCS10CertificationRequest csr = csr(serial, key);
            ctx.steps().done(Step.O_2, "CSR for serialNumber=" + serial + " signed by " + key.location());

            List<X509Certificate> chain = enroll(csr, key, serial);
            idevid = ctx.identity().saveIdevid(chain, KeyService.IDEVID);
            ctx.steps().done(Step.O_8, "IDevID saved at " + idevid.location());
        } else {
            key = ctx.keys().find(idevid.keyAlias()).orElseThrow(() -> new ProvisioningException("O.d: the IDevID at "
                    + ctx.identity().location() + " has no key " + KeyService.IDEVID + " in " + ctx.keys().describe()));
        }
        String dpp = ctx.identity().attribute(DeviceIdentity.Kind.IDEVID, DPP).orElse(null);
        if (dpp == null) {
            dpp = new DppUri(serial, idevid.certificate().getPublicKey()).toString();
            ctx.identity().saveAttribute(DeviceIdentity.Kind.IDEVID, DPP, dpp);
            ctx.steps().done(Step.O_C, dpp);
        }
        if (ctx.identity().attribute(DeviceIdentity.Kind.IDEVID, RECORDED).isEmpty()) {
            record(idevid, key, serial, dpp);
            ctx.identity().saveAttribute(DeviceIdentity.Kind.IDEVID, RECORDED, Instant.now().toString());
        }
        return idevid;
    }

    /** O.2: the CSR, signed by the device key wherever it lives (TPM2_Sign for a TPM key). */
    private PKCS10CertificationRequest csr(String serial, DeviceKey key) throws ProvisioningException {
        String cn = ctx.config().commonName().isBlank() ? null : ctx.config().commonName();
        try {
            return CertificateBuilder.csr(IdevidProfile.subject(null, cn, serial), key.publicKey(), key.privateKey(),
                    ctx.keys().provider());
        } catch (Exception e) {
            throw new ProvisioningException("O.2: the CSR cannot be signed by " + key.location() + ": " + e.getMessage(), e);
        }
    }

    /** A try that did not work at {@code step} and is tried again. */
    private static final class Again extends Retrying.Again {
        private static final long serialVersionUID = 1L;
        final transient Step step;

        Again(Step step, String message) {
            super(message);
            this.step = step;
        }
    }

    /** O.3 to O.7: sends the CSR until a certificate that passes O.7 comes back. */
    private List<X509Certificate> enroll(PKCS10CertificationRequest csr, DeviceKey key, String serial) throws Exception {
        URI uri = ctx.mpr().provisioningUri().resolve(Est.SIMPLEENROLL);
        HttpsClient http = client(null);
        return retrying().until(() -> {
            ctx.steps().started(Step.O_3, "CSR to " + uri);
            HttpsClient.Response r;
            try {
                r = http.post(uri, Est.PKCS10, Est.CERTS_ONLY, Est.csr(csr));
            } catch (IOException e) {
                throw new Again(Step.O_3, "the provisioning service at " + uri + " cannot be reached or is not trusted: "
                        + Failures.describe(e));
            }
            if (r.status() >= 400 && r.status() < 500) {
                ctx.steps().failed(Step.O_4, "the manufacturer rejected the CSR (HTTP " + r.status() + "): " + r.text());
                throw new ProvisioningException("O.4: the manufacturer rejected the CSR (HTTP " + r.status() + "): "
                        + r.text());
            }
            if (r.status() != 200) {
                throw new Again(Step.O_3, "the provisioning service answered HTTP " + r.status() + ": " + r.text());
            }
            // O.6 is done only when what came back is an IDevID the manufacturer issued for this key
            List<X509Certificate> chain;
            try {
                chain = checkIdevid(r, key, serial, http);
            } catch (ProvisioningException e) {
                throw new Again(Step.O_7, e.getMessage());
            }
            ctx.steps().done(Step.O_6, "the manufacturer's CA " + Names.display(chain.get(0).getIssuerX500Principal())
                    + " issued IDevID " + chain.get(0).getSerialNumber().toString(16) + " for this key");
            ctx.steps().done(Step.O_7, "IDevID " + Names.display(chain.get(0).getSubjectX500Principal())
                    + " is well formed, under the MPR, for this key and serial");
            return chain;
        }, (again, wait) -> ctx.steps().failed(((Again) again).step, again.getMessage() + "; "
                + Retrying.tryingAgainIn(wait)));
    }

    /**
     * O.7: the answer's IDevID, with its chain, under the MPR, of the profile, for this key and serial;
     * else why not. RFC 7030 4.2.3 answers only the issued certificate: its CA then comes from cacerts
     * (4.1), which is taken only as certificates to build the path with, never as a trust anchor.
     */
    private List<X509Certificate> checkIdevid(HttpsClient.Response r, DeviceKey key, String serial, HttpsClient http)
            throws ProvisioningException, InterruptedException {
        try {
            List<X509Certificate> answer = Est.parseCertsOnly(r.body());
            X509Certificate issued = answer.stream().filter(c -> c.getPublicKey().equals(key.publicKey())).findFirst()
                    .orElseThrow(() -> new ProvisioningException("the returned certificate is for another key than "
                            + key.location()));
            ManufacturerTrust trust = trust();
            List<X509Certificate> pool = new ArrayList<>(answer);
            if (!issuerAtHand(issued, pool, trust)) {
                pool.addAll(cacerts(http));
            }
            List<X509Certificate> chain = CertPaths.chain(issued, pool, trust.roots());
            IdevidProfile.Idevid idevid = IdevidProfile.check(chain, trust, ctx.time().at(issued, chain, trust.roots()));
            if (!idevid.serialNumber().equals(serial)) {
                throw new ProvisioningException("the returned certificate is for serial " + idevid.serialNumber()
                        + ", not " + serial);
            }
            return chain;
        } catch (EstException e) {
            throw new ProvisioningException("the answer is not an IDevID: " + e.getMessage());
        } catch (ProfileException e) {
            throw new ProvisioningException("the returned certificate is not a well-formed IDevID: " + e.getMessage());
        }
    }

    private static boolean issuerAtHand(X509Certificate issued, List<X509Certificate> pool, ManufacturerTrust trust) {
        return java.util.stream.Stream.concat(pool.stream(), trust.roots().stream())
                .anyMatch(c -> c.getSubjectX500Principal().equals(issued.getIssuerX500Principal()));
    }

    /** The manufacturer's CA certificates (EST cacerts), over the same factory TLS. */
    private List<X509Certificate> cacerts(HttpsClient http) throws ProvisioningException, InterruptedException {
        URI uri = ctx.mpr().provisioningUri().resolve(Est.CACERTS);
        try {
            HttpsClient.Response r = http.get(uri, Est.CERTS_ONLY);
            if (r.status() != 200) {
                throw new ProvisioningException("the IDevID's issuing CA is not in the answer, and " + uri
                        + " answered HTTP " + r.status() + ": " + r.text());
            }
            return Est.parseCertsOnly(r.body());
        } catch (IOException e) {
            throw new ProvisioningException("the IDevID's issuing CA is not in the answer, and " + uri
                    + " cannot be reached: " + Failures.describe(e));
        } catch (EstException e) {
            throw new ProvisioningException("the IDevID's issuing CA is not in the answer, and " + uri
                    + " is not a certs-only answer: " + e.getMessage());
        }
    }

    /** O.d: records the certificate and DPP URI with the manufacturer, over TLS authenticated by the IDevID. */
    private void record(DeviceIdentity idevid, DeviceKey key, String serial, String dpp) throws Exception {
        URI uri = ctx.mpr().provisioningUri().resolve(DppRecord.PATH);
        HttpsClient http = client(new TlsContexts.Credential(key.privateKey(), idevid.chain(), ctx.keys().provider()));
        byte[] body = json.createObjectNode().put(DppRecord.SERIAL, serial).put(DppRecord.DPP_URI, dpp).toString()
                .getBytes(StandardCharsets.UTF_8);
        retrying().until(() -> {
            ctx.steps().started(Step.O_D, "recording with " + uri);
            HttpsClient.Response r;
            try {
                r = http.post(uri, "application/json", "application/json", body);
            } catch (IOException e) {
                throw new Again(Step.O_D, "the provisioning service at " + uri + " cannot be reached: " + Failures.describe(e));
            }
            if (r.status() != 200) {
                throw new Again(Step.O_D, "the manufacturer answered HTTP " + r.status() + ": " + r.text());
            }
            ctx.steps().done(Step.O_D, "the manufacturer recorded the IDevID and the DPP URI");
            return null;
        }, (again, wait) -> ctx.steps().failed(Step.O_D, again.getMessage() + "; the IDevID is kept; "
                + Retrying.tryingAgainIn(wait)));
    }

    /** The roles of the MPR's certificates. */
    private ManufacturerTrust trust() throws ProvisioningException {
        try {
            return ManufacturerTrust.of(ctx.mpr().certificates());
        } catch (ProfileException e) {
            throw new ProvisioningException("the MPR at " + ctx.mpr().source() + ": " + e.getMessage(), e);
        }
    }

    /**
     * TLS that trusts only the factory TLS role under the MPR: a certificate the root issued itself,
     * serverAuth, naming the provisioning address's host (an IDevID under the same root never passes).
     */
    private HttpsClient client(TlsContexts.Credential own) throws ProvisioningException {
        try {
            return new HttpsClient(TlsContexts.manufacturerServer(trust(), ctx.mpr().provisioningUri().getHost(), own, ctx.time()),
                    Duration.ofSeconds(ctx.config().connectTimeoutSeconds()), Duration.ofSeconds(ctx.config().requestTimeoutSeconds()));
        } catch (java.security.GeneralSecurityException e) {
            throw new ProvisioningException("TLS context trusting the MPR cannot be made: " + e.getMessage(), e);
        }
    }

    private Retrying retrying() {
        return Retrying.withBackoff(Duration.ofSeconds(ctx.config().retryInitialSeconds()),
                Duration.ofSeconds(ctx.config().retryMaxSeconds()), ctx.waiter());
    }

}
