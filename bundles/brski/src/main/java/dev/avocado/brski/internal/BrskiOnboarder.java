package dev.avocado.brski.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKeys;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.onboarding.Onboarder;
import dev.avocado.protocol.http.Backoff;
import dev.avocado.protocol.http.Failures;
import dev.avocado.protocol.http.Retrying;
import dev.avocado.protocol.run.SingleRun;
import dev.avocado.protocol.x509.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;

/**
 * The BRSKI pledge of partition two: onboards the device (B to E.1) when the boot bundle asks, keeps
 * the LDevID renewed, and removes a network profile whose LDevID is gone. One run at a time, on its
 * own thread.
 */
// the key services come from dev.avocado.keys, which the firmware writes; the launcher refuses a data/config
// file that sets them (FirmwareConfig), so dev.avocado.brski cannot override them
@Component(service = {Onboarder.class, BrskiOnboarder.class}, configurationPid = {KeyService.SELECTION_PID,
    BrskiOnboarder.PID}, property = {"ldevidKeyService.target=(" + KeyService.TYPE_PROPERTY + "=soft)"})
@DeviceKeys
public class BrskiOnboarder implements Onboarder {

    public static final String PID = "dev.avocado.brski";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference
    private StepReporter steps;

    @Reference
    private ManufacturerRootReader mpr;

    @Reference
    private IdentityStore identity;

    /** The device's key service, holding the IDevID key (its target: {@link DeviceKeys}). */
    /** The device's now: what the pledge checks, and when the LDevID is due for renewal. */
    @Reference
    private DeviceClock clock;

    @Reference(name = DeviceKeys.REFERENCE)
    private KeyService keyService;

    /** Where the LDevID key is made (ldevidKeyService.target, which the firmware sets in dev.avocado.keys). */
    @Reference
    private KeyService ldevidKeyService;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceLifecycle lifecycle;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "avocado-brski"));
    private final PromiseFactory promises = new PromiseFactory(executor);
    private BrskiConfig config;
    private Path networkFolder;
    private RegistrarFinder finder;
    private final SingleRun<DeviceIdentity> run = new SingleRun<>(executor, "onboarding", m -> log.error(m));
    private ScheduledFuture<?> renewal;
    private volatile Instant renewalDue;

    @Activate
    void activate(BundleContext context, BrskiConfig config) {
        this.config = config;
        this.networkFolder = Partitions.folder(context, config.networkFolder(), Partitions.DATA, "network");
        this.finder = new DnsSdFinder(log, config.dnsSdAddress());
        executor.execute(this::resume);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    /**
     * On start: an LDevID is kept renewed (and its profile written if it is missing); without one, a
     * profile left from before a wipe goes.
     */
    private void resume() {
        try {
            Optional<DeviceIdentity> ldevid = identity.ldevid();
            if (ldevid.isPresent()) {
                if (NetworkProfile.present(networkFolder).isEmpty()) {
                    e1(ldevid.get());
                }
                scheduleRenewal(ldevid.get());
            } else if (!NetworkProfile.present(networkFolder).isEmpty()) {
                NetworkProfile.remove(networkFolder);
                log.info("E.1 network profile in {} removed: the device has no LDevID", networkFolder);
            }
        } catch (Exception e) {
            log.error("cannot read the LDevID: {}", e.getMessage());
        }
    }

    @Override
    public Promise<DeviceIdentity> onboard() {
        return run.start(() -> {
            DeviceIdentity ldevid = new Onboarding(context()).run();
            scheduleRenewal(ldevid);
            return ldevid;
        });
    }

    /** E.1 for an LDevID of this device (at start when its profile is missing, after each renewal). */
    private void e1(DeviceIdentity ldevid) {
        NetworkProfile.e1(ldevid, Names.serialNumber(ldevid.certificate()).orElseThrow(), ldevidKeyService, steps,
                config, networkFolder);
    }

    private Onboarding.Context context() throws Exception {
        return new Onboarding.Context(mpr.read(), keyService, ldevidKeyService, identity, steps, finder, config, networkFolder,
                Thread::sleep, clock);
    }

    /** Renews at the due point, then again for the new LDevID; retries with backoff until it works. */
    private synchronized void scheduleRenewal(DeviceIdentity ldevid) {
        if (executor.isShutdown()) {
            return; // deactivated meanwhile (a redeploy): the next instance schedules it
        }
        if (renewal != null) {
            renewal.cancel(false);
        }
        renewalDue = Renewal.due(ldevid.certificate(), config.renewAtPercent());
        long delay = Math.max(0, Duration.between(clock.now(), renewalDue).toMillis());
        log.info("LDevID {} valid until {}: renewal at {}", ldevid.certificate().getSerialNumber().toString(16),
                ldevid.certificate().getNotAfter().toInstant(), renewalDue);
        try {
            renewal = executor.schedule(() -> renew(new Backoff(config.retryInitialSeconds() * 1000L,
                    config.retryMaxSeconds() * 1000L)), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // deactivated between the check and now
        }
    }

    private void renew(Backoff backoff) {
        try {
            renewOnce();
        } catch (Exception e) {
            long wait = backoff.next();
            // scheduled, not slept: the renewal must not hold the onboarder's one thread while it waits
            log.warn("LDevID renewal failed: {}; {}", Failures.describe(e), Retrying.tryingAgainIn(wait));
            synchronized (this) {
                renewal = executor.schedule(() -> renew(backoff), wait, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Re-enrolls, rewrites the network profile (E.1) for the new LDevID, schedules the next renewal. */
    private DeviceIdentity renewOnce() throws Exception {
        DeviceIdentity renewed = new Renewal(identity, ldevidKeyService, steps, config, clock).renew();
        e1(renewed);
        scheduleRenewal(renewed);
        return renewed;
    }

    /** Renews now (the shell's brski:renew). */
    Promise<DeviceIdentity> renewNow() {
        Deferred<DeviceIdentity> d = promises.deferred();
        executor.execute(() -> {
            try {
                d.resolve(renewOnce());
            } catch (Exception e) {
                d.fail(e);
            }
        });
        return d.getPromise();
    }

    /** Removes the network profile, then wipes the device (LDevID, IDevID, keys) and reboots into provisioning. */
    void wipe() throws Exception {
        DeviceLifecycle l = lifecycle;
        if (l == null) {
            throw new IllegalStateException("no device lifecycle service: the boot bundle is not running");
        }
        NetworkProfile.remove(networkFolder);
        l.wipe();
    }

    Path networkFolder() {
        return networkFolder;
    }

    Instant renewalDue() {
        return renewalDue;
    }

    boolean running() {
        return run.running();
    }

    BrskiConfig config() {
        return config;
    }

    KeyService ldevidKeys() {
        return ldevidKeyService;
    }
}
