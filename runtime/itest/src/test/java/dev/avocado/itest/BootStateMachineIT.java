package dev.avocado.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.Reboot;
import dev.avocado.api.lifecycle.StateChange;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.itest.Fixtures.Manufacturer;
import dev.avocado.itest.p2probe.P2Probe;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;

/**
 * The boot state machine from a vanilla device: unprovisioned with no provisioner; a provisioner
 * appears and provisions (a real key in the key service, a real IDevID under the MPR); partition two
 * starts; a wipe removes identity and keys and asks the launcher to reboot.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BootStateMachineIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Path image = Fixtures.image(Manufacturer.create("Acme"));
        Fixtures.probe(image.resolve("p2/bundles/probe.jar"), 1, null);
        return Fixtures.device(image);
    }

    @Test
    public void vanillaDeviceIsProvisionedThenWiped() throws Exception {
        Device device = new Device(context);
        StateRecorder recorder = new StateRecorder(context);
        DeviceLifecycle lifecycle = device.awaitSettled(DeviceState.UNPROVISIONED, 10_000);
        assertTrue(lifecycle.reason(), lifecycle.reason().startsWith("no IDevID yet; no IDevID provisioner is installed; "
                + "keys: software keys in "));
        assertNull("nothing of partition two runs before provisioning", P2Probe.runningBuild(context));

        // an IDevID provisioner appears: the device provisions by itself
        KeyService keys = device.service(KeyService.class);
        IdentityStore identity = device.service(IdentityStore.class);
        Path manufacturer = Path.of(context.getProperty("avocado.image")).resolve("manufacturer");
        ServiceRegistration<IdevidProvisioner> provisioner = context.registerService(IdevidProvisioner.class,
                new IdevidProvisioner() {
                    @Override
                    public Promise<DeviceIdentity> provision() {
                        return provisionWith(keys, identity, manufacturer);
                    }

                    @Override
                    public boolean complete() {
                        try {
                            return identity.idevid().isPresent();
                        } catch (Exception e) {
                            return false;
                        }
                    }
                }, new Hashtable<>());
        lifecycle = device.awaitSettled(DeviceState.PROVISIONED, 10_000);
        assertTrue(lifecycle.reason(), lifecycle.reason().startsWith("IDevID serial SN-4711 (MASA masa.test:9443)"));
        assertTrue(lifecycle.reason(), lifecycle.reason().contains("partition two active (1 bundle)"));
        assertEquals("1", P2Probe.runningBuild(context));
        assertEquals(List.of("booting->unprovisioned", "unprovisioned->provisioning", "provisioning->provisioned"),
                lifecycle.history().stream().map(c -> c.from().label() + "->" + c.to().label()).toList());
        // the same story as EventAdmin events (the recorder may have started before or after the first one)
        Await.until("the state events", 5000, () -> recorder.transitions().contains("provisioning->provisioned"),
                () -> recorder.transitions().toString());
        List<String> seen = recorder.transitions();
        assertEquals(List.of("unprovisioned->provisioning", "provisioning->provisioned"), seen.subList(seen.size() - 2, seen.size()));

        String shown = device.shell("device:identity");
        assertTrue(shown, shown.contains("IDevID: serialNumber=SN-4711,CN=Avocado test device,O=Avocado"));
        assertTrue(device.shell("device:keys"), device.shell("device:keys").contains("idevid: EC_P256 at file:"));

        // wipe: identity and keys gone, partition two stopped, the launcher asked to reboot
        AtomicInteger reboots = new AtomicInteger();
        context.registerService(Reboot.class, reboots::incrementAndGet, null);
        provisioner.unregister();
        String out = device.shell("device:wipe");
        assertTrue(out, out.contains("wiped"));
        assertEquals(1, reboots.get());
        assertFalse(identity.idevid().isPresent());
        assertFalse(keys.find(KeyService.IDEVID).isPresent());
        assertNull(P2Probe.runningBuild(context));
        for (Bundle b : context.getBundles()) {
            assertFalse("p2 bundle uninstalled", Fixtures.PROBE_BSN.equals(b.getSymbolicName()));
        }
        StateChange last = lifecycle.history().get(lifecycle.history().size() - 1);
        assertEquals(DeviceState.UNPROVISIONED, last.to());
        assertTrue(last.reason(), last.reason().startsWith("wiped: LDevID, IDevID and their keys removed"));
        recorder.close();
    }

    /** What an IDevID provisioner leaves behind, made here with the test manufacturer's CA. */
    private static Promise<DeviceIdentity> provisionWith(KeyService keys, IdentityStore identity, Path manufacturer) {
        PromiseFactory promises = new PromiseFactory(null);
        try {
            DeviceKey key = keys.create(KeyService.IDEVID, KeyAlgorithm.EC_P256);
            X509Certificate ca = Pem.readCertificates(manufacturer.resolve("ca.pem")).get(0);
            PrivateKey caKey = Pem.readPrivateKey(manufacturer.resolve("ca.key"));
            X509Certificate cert = IdevidProfile.issue(ca, caKey, null,
                    IdevidProfile.subject("Avocado", "Avocado test device", "SN-4711"), key.publicKey(), "masa.test:9443",
                    Instant.now().minusSeconds(60));
            return promises.resolved(identity.saveIdevid(List.of(cert, ca), KeyService.IDEVID));
        } catch (Exception e) {
            return promises.failed(e);
        }
    }
}
