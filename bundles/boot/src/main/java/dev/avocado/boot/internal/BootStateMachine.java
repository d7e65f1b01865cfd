package dev.avocado.boot.internal;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityException;
import dev.avocado.api.clock.DeviceClock;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.keys.DeviceKeys;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.LifecycleListener;
import dev.avocado.api.lifecycle.Reboot;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.mpr.MprException;
import dev.avocado.api.onboarding.Onboarder;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.http.Failures;
import dev.avocado.protocol.x509.Names;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import dev.avocado.api.lifecycle.Partitions;
import java.nio.file.Path;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The boot state machine. No IDevID: hand over to the IDevID provisioner (or wait for one). A
 * well-formed IDevID whose key is in the key service: activate partition two and hand over to the
 * onboarder. Anything else: failed, with the reason. Transitions run one at a time on one thread.
 */
@Component(service = {}, immediate = true, configurationPid = {KeysConfig.PID, BootStateMachine.PID})
public class BootStateMachine implements Lifecycle.Actions {

    public static final String PID = "dev.avocado.boot";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference
    private EventAdmin events;

    @Reference
    private ManufacturerRootReader mpr;

    @Reference
    private IdentityStore identity;

    @Reference
    private DeviceClock clock;

    @Reference
    private PartitionTwo partitionTwo;

    @Reference
    private ConfigurationAdmin configurationAdmin;

    private volatile KeyService keyService;
    /** Wakes the boot when the key service or a configuration arrives. */
    private final Arrivals arrivals = new Arrivals();
    private ServiceRegistration<ConfigurationListener> configurationListener;

    /** Every key service: the LDevID key may be in another one than the device's (software by default). */
    @Reference(service = KeyService.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<KeyService> allKeyServices;

    /** Told every transition and step, typed (the launcher's listener among them). */
    @Reference(service = LifecycleListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<LifecycleListener> listeners;

    /** The launcher's reboot (from the system bundle); without one, the framework's own restart. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Reboot launcherReboot;

    private volatile IdevidProvisioner provisioner;
    private volatile Onboarder onboarder;
    /** The onboarder whose run the boot follows (boot thread only). */
    private Onboarder onboarding;

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "avocado-boot"));
    private BundleContext context;
    /** Null until activation: DS binds the dynamic references before it activates. */
    private volatile Lifecycle lifecycle;
    private BootConfig config;
    private KeysConfig keysConfig;
    private ServiceRegistration<?> registration;

    /** Target filter from configuration (keyService.target of dev.avocado.keys): the device's key service. */
    @Reference(name = DeviceKeys.REFERENCE, unbind = "unbindKeyService", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindKeyService(KeyService k) {
        keyService = k;
        arrivals.changed();
    }

    void unbindKeyService(KeyService k) {
        if (keyService == k) {
            keyService = null;
        }
    }

    @Activate
    void activate(BundleContext context, BootConfig config, KeysConfig keysConfig) {
        this.context = context;
        this.config = config;
        this.keysConfig = keysConfig;
        lifecycle = new Lifecycle(events, log, () -> listeners == null ? List.of() : listeners, this);
        // one object is the device's lifecycle and its step reporter: steps reach the record typed
        registration = context.registerService(new String[] {DeviceLifecycle.class.getName(),
            StepReporter.class.getName()}, lifecycle, null);
        configurationListener = context.registerService(ConfigurationListener.class, arrivals, null);
        executor.execute(this::boot);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        configurationListener.unregister();
        registration.unregister();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindProvisioner(IdevidProvisioner p) {
        provisioner = p;
        submit(() -> {
            if (lifecycle != null && lifecycle.state() == DeviceState.UNPROVISIONED) {
                provision(p, "IDevID provisioner running");
            }
        });
    }

    void unbindProvisioner(IdevidProvisioner p) {
        if (provisioner == p) {
            provisioner = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindOnboarder(Onboarder o) {
        onboarder = o;
        submit(() -> {
            // a new build of the onboarder (hot redeploy) takes over from the one that was running
            if (lifecycle != null && (lifecycle.state() == DeviceState.PROVISIONED
                    || lifecycle.state() == DeviceState.ONBOARDING)) {
                onboard(o);
            }
        });
    }

    void unbindOnboarder(Onboarder o) {
        if (onboarder == o) {
            onboarder = null;
        }
    }

    private void submit(Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(task);
        }
    }

    // --- the states

    private void boot() {
        if (!awaitConfiguration()) {
            return;
        }
        // keys first: with a TPM, the MPR is checked against the copy anchored in it
        KeyService keys = awaitKeyService();
        if (keys == null) {
            fail("no key service matching " + keyFilter() + " started within " + config.keyServiceWaitSeconds() + " s");
            return;
        }
        try {
            keys.check();
        } catch (KeyServiceException e) {
            fail("key service " + keys.type() + ": " + e.getMessage());
            return;
        }
        String keyStore = "keys: " + keys.describe();
        log.info("device {}", keyStore);
        ManufacturerRoot root;
        try {
            root = mpr.read();
        } catch (MprException e) {
            fail(e.getMessage());
            return;
        }
        log.info("MPR {} from {}: provisioning service at {}{}", root.subject(), root.source(), root.provisioningUri(),
                root.anchor() == null ? "" : "; matches the copy anchored in " + root.anchor());
        Optional<DeviceIdentity> idevid;
        try {
            idevid = identity.idevid();
        } catch (IdentityException e) {
            fail(e.getMessage());
            return;
        }
        IdevidProvisioner p = provisioner;
        switch (BootChecks.way(idevid, p)) {
            case AWAIT_PROVISIONER -> lifecycle.enter(DeviceState.UNPROVISIONED,
                    "no IDevID yet; no IDevID provisioner is installed; " + keyStore, true);
            case PROVISION -> {
                lifecycle.enter(DeviceState.UNPROVISIONED, "no IDevID yet; provisioning starts; " + keyStore, false);
                provision(p, "IDevID provisioner running; " + keyStore);
            }
            case FINISH_PROVISIONING ->
                provision(p, "IDevID saved; finishing provisioning (DPP URI, record with the manufacturer)");
            case CHECK_IDEVID -> provisioned(root, idevid.get(), keys);
            default -> throw new IllegalStateException("unknown boot way");
        }
    }

    private void provision(IdevidProvisioner p, String why) {
        lifecycle.enter(DeviceState.PROVISIONING, why, false);
        // boot again only after success: booting after a failure would start provisioning again at once
        p.provision().onSuccess(idevid -> submit(this::boot)).onFailure(
                e -> submit(() -> fail("IDevID provisioning failed: " + Failures.describe(e))));
    }

    private void provisioned(ManufacturerRoot root, DeviceIdentity idevid, KeyService keys) {
        IdevidProfile.Idevid checked;
        try {
            checked = BootChecks.usable(root, idevid, keys, CheckTime.atLeast(clock::now));
        } catch (BootChecks.Refusal e) {
            fail(e.getMessage());
            return;
        }
        List<Bundle> started;
        try {
            started = partitionTwo.activatePartition();
        } catch (BundleException e) {
            fail(e.getMessage());
            return;
        }
        String who = "IDevID serial " + checked.serialNumber() + " (MASA " + checked.masaUrl() + ")";
        try {
            Optional<DeviceIdentity> ldevid = identity.ldevid();
            if (ldevid.isPresent()) {
                lifecycle.enter(DeviceState.ONBOARDED, who + "; LDevID "
                        + Names.display(ldevid.get().certificate().getSubjectX500Principal()) + "; partition two active ("
                        + bundles(started) + ")", true);
                return;
            }
        } catch (IdentityException e) {
            fail(e.getMessage());
            return;
        }
        Onboarder o = onboarder;
        lifecycle.enter(DeviceState.PROVISIONED, who + "; partition two active (" + bundles(started) + ")"
                + (o == null ? "; no onboarder installed" : ""), o == null);
        if (o != null) {
            onboard(o);
        }
    }

    private void onboard(Onboarder o) {
        if (onboarding == o && lifecycle.state() == DeviceState.ONBOARDING) {
            return; // bound and activated at once: this run is already followed
        }
        onboarding = o;
        lifecycle.enter(DeviceState.ONBOARDING, "onboarder running (" + o.getClass().getSimpleName() + ")", false);
        o.onboard().onSuccess(ldevid -> submit(() -> lifecycle.enter(DeviceState.ONBOARDED,
                "LDevID " + Names.display(ldevid.certificate().getSubjectX500Principal()) + " saved at " + ldevid.location(),
                true))).onFailure(e -> submit(() -> {
                    // an onboarder stopped by a wipe, a redeploy or a shutdown has not failed the device
                    if (onboarder == o && lifecycle.state() == DeviceState.ONBOARDING) {
                        fail("onboarding failed: " + Failures.describe(e));
                    }
                }));
    }

    private void fail(String why) {
        lifecycle.enter(DeviceState.FAILED, why, true);
    }

    /**
     * Waits until FileInstall has handed every data/config/*.cfg to Config Admin. Components that
     * started on defaults restart when their configuration arrives (this one too): booting before
     * then would boot twice, or with the wrong key service.
     *
     * @return false when interrupted (this instance is being replaced)
     */
    private boolean awaitConfiguration() {
        // the firmware's settings (the launcher writes them from p1) and the data partition's
        List<Path> folders = List.of(Partitions.folder(context, null, Partitions.DATA, "firmware-config"),
                Partitions.folder(context, null, Partitions.DATA, "config"));
        try {
            if (arrivals.await(() -> ConfigurationFiles.pending(configurationAdmin, folders).isEmpty() ? Boolean.TRUE : null,
                    Duration.ofSeconds(config.configurationWaitSeconds())) == null) {
                log.warn("configuration files not loaded within {} s: {}", config.configurationWaitSeconds(),
                        ConfigurationFiles.pending(configurationAdmin, folders));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The device's key service, once DS has bound it; null after the key service wait. */
    private KeyService awaitKeyService() {
        try {
            return arrivals.await(() -> keyService, Duration.ofSeconds(config.keyServiceWaitSeconds()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private String keyFilter() {
        return keysConfig.keyService_target();
    }

    // --- wipe and reboot

    @Override
    public void wipe() throws Exception {
        try {
            executor.submit(() -> {
                KeyService keys = keyService;
                if (keys == null) {
                    throw new KeyServiceException("cannot wipe: no key service matching " + keyFilter()
                            + " is available, so the keys could not be destroyed; nothing was removed");
                }
                partitionTwo.deactivatePartition();
                identity.wipe();
                for (KeyService k : allKeyServices) {
                    k.destroy(KeyService.LDEVID);
                }
                keys.destroy(KeyService.IDEVID);
                lifecycle.enter(DeviceState.UNPROVISIONED,
                        "wiped: LDevID, IDevID and their keys removed; rebooting into provisioning", false);
                return null;
            }).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        reboot();
    }

    @Override
    public void reboot() {
        log.info("reboot requested");
        Reboot launcher = launcherReboot;
        if (launcher != null) {
            launcher.reboot();
            return;
        }
        // no launcher (a plain framework): the framework's own restart
        new Thread(() -> {
            try {
                context.getBundle(0).update();
            } catch (BundleException e) {
                log.error("framework restart failed: {}", e.getMessage());
            }
        }, "avocado-reboot").start();
    }

    private static String bundles(List<Bundle> started) {
        return started.size() + (started.size() == 1 ? " bundle" : " bundles");
    }
}
