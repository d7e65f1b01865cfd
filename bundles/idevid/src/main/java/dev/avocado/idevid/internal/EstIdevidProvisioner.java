package dev.avocado.idevid.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKeys;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.protocol.run.SingleRun;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.promise.Promise;

/**
 * The IDevID provisioner of partition one: EST enrollment with the manufacturer named by the MPR.
 * One run at a time, on its own thread; asking again while it runs returns the same promise.
 */
@Component(configurationPid = {KeyService.SELECTION_PID, EstIdevidProvisioner.PID})
@DeviceKeys
public class EstIdevidProvisioner implements IdevidProvisioner {

    public static final String PID = "dev.avocado.idevid";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference
    private StepReporter steps;

    @Reference
    private ManufacturerRootReader mpr;

    @Reference
    private IdentityStore identity;

    /** The device's key service (its target: {@link DeviceKeys}). */
    /** The device's now: the factory's TLS certificate and the IDevID are checked at it. */
    @Reference
    private DeviceClock clock;

    @Reference(name = DeviceKeys.REFERENCE)
    private KeyService keyService;

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "avocado-idevid"));
    private final SingleRun<DeviceIdentity> run = new SingleRun<>(executor, "IDevID provisioning", m -> log.error(m));
    private ProvisionerConfig config;

    @Activate
    void activate(ProvisionerConfig config) {
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    @Override
    public boolean complete() {
        try {
            return identity.idevid().isPresent()
                    && identity.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.RECORDED).isPresent();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public Promise<DeviceIdentity> provision() {
        return run.start(() -> new IdevidProvisioning(new IdevidProvisioning.Context(mpr.read(), keyService, identity,
                steps, config, Thread::sleep, CheckTime.atLeast(clock::now))).run());
    }
}
