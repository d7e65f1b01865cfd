package dev.avocado.brski.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.Names;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-enrollment (RFC 7030 simplereenroll) before the LDevID expires: the same key, TLS authenticated
 * by the current LDevID, the domain CA as the only trust, the registrar that enrolled the device.
 */
final class Renewal {

    private final IdentityStore identity;
    private final KeyService ldevidKeys;
    private final StepReporter steps;
    private final BrskiConfig config;

    private final DeviceClock clock;

    Renewal(IdentityStore identity, KeyService ldevidKeys, StepReporter steps, BrskiConfig config, DeviceClock clock) {
        this.clock = clock;
        this.identity = identity;
        this.ldevidKeys = ldevidKeys;
        this.steps = steps;
        this.config = config;
    }

    /** When the LDevID is due: {@code renewAtPercent} of its lifetime after notBefore. */
    static Instant due(X509Certificate ldevid, int percent) {
        Instant from = ldevid.getNotBefore().toInstant();
        Instant to = ldevid.getNotAfter().toInstant();
        long life = Duration.between(from, to).toMillis();
        return from.plusMillis(life * Math.max(1, Math.min(99, percent)) / 100);
    }

    /** One re-enrollment; the new LDevID is saved only when it passes D.6. */
    DeviceIdentity renew() throws Exception {
        DeviceIdentity current = identity.ldevid().orElseThrow(() -> new IllegalStateException("no LDevID to renew"));
        URI registrar = URI.create(identity.attribute(DeviceIdentity.Kind.LDEVID, Onboarding.REGISTRAR).orElseThrow(
                () -> new IllegalStateException("the LDevID does not say which registrar issued it")));
        DeviceKey key = ldevidKeys.find(current.keyAlias()).orElseThrow(() -> new IllegalStateException(
                "the LDevID's key " + current.keyAlias() + " is not in " + ldevidKeys.describe()));
        String serial = Names.serialNumber(current.certificate()).orElseThrow();
        List<X509Certificate> cas = current.chain().subList(1, current.chain().size());
        steps.started(Step.D_3, "re-enrollment (simplereenroll) with " + registrar + ", the LDevID due since "
                + due(current.certificate(), config.renewAtPercent()));
        List<X509Certificate> issued = PledgeSession.reenroll(registrar, new TlsContexts.Credential(key.privateKey(),
                current.chain(), ldevidKeys.provider()), cas, Onboarding.csr(serial, key, ldevidKeys),
                Duration.ofSeconds(config.connectTimeoutSeconds()), Duration.ofSeconds(config.requestTimeoutSeconds()),
                CheckTime.atLeast(clock::now));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(issued.get(0));
        chain.addAll(cas);
        LdevidProfile.check(chain, cas, key.publicKey(), serial, CheckTime.atLeast(clock::now).at(chain.get(0), chain, cas));
        DeviceIdentity renewed = identity.saveLdevid(chain, current.keyAlias());
        steps.done(Step.D_7, "LDevID renewed: serial " + renewed.certificate().getSerialNumber().toString(16) + ", valid until "
                + renewed.certificate().getNotAfter().toInstant());
        return renewed;
    }
}
