package dev.avocado.itest;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.itest.Fixtures.Manufacturer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * What the boot state machine refuses, each with a reason that names the thing and the problem: an
 * IDevID whose key is not the device key, an IDevID from another manufacturer, a partition two bundle
 * that does not resolve, a configured key service that is not there. Each case restarts the state
 * machine through its configuration, as an operator would.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BootFailuresIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Manufacturer acme = Manufacturer.create("Acme");
        Path image = Fixtures.image(acme);
        // a provisioned device whose key file was replaced by another key
        Fixtures.provisioned(image, acme, "SN-1");
        Path other = image.resolve("variants/other-key");
        Fixtures.provisioned(other, acme, "SN-1");
        move(other.resolve("data/keys/idevid.p8"), image.resolve("data/keys/idevid.p8"));
        // an IDevID (with its key) from another manufacturer
        Fixtures.provisioned(image.resolve("variants/foreign"), Manufacturer.create("Evil"), "SN-1");
        // a good IDevID with its key
        Fixtures.provisioned(image.resolve("variants/good"), acme, "SN-1");
        // a partition two bundle that imports a package nobody exports
        Fixtures.probe(image.resolve("p2/bundles/probe.jar"), 1, "does.not.exist");
        return Fixtures.device(image, frameworkProperty("itest.variants").value(image.resolve("variants").toString()));
    }

    @Test
    public void eachRefusalIsAFailedStateWithItsReason() throws Exception {
        Device device = new Device(context);
        Path data = Path.of(context.getProperty("avocado.data"));
        Path variants = Path.of(context.getProperty("itest.variants"));

        DeviceLifecycle l = device.awaitSettled(DeviceState.FAILED, 10_000);
        assertTrue(l.reason(), l.reason().matches("IDevID at .*idevid.pem does not match key 'idevid' at file:.*idevid.p8"));

        use(variants.resolve("foreign/data"), data);
        rerun(device, 1);
        awaitReason(device, "is not well formed", "does not chain to the manufacturer root");

        use(variants.resolve("good/data"), data);
        rerun(device, 2);
        awaitReason(device, "partition two: probe.jar does not start", "does.not.exist");

        device.configure("dev.avocado.boot", "keyServiceWaitSeconds", 1);
        device.configure("dev.avocado.keys", "keyService.target", "(avocado.keys.type=tpm)");
        awaitReason(device, "no key service matching (avocado.keys.type=tpm) started within 1 s");
        String state = device.shell("device:state");
        assertTrue(state, state.contains("state:   failed"));
    }

    private static void awaitReason(Device device, String... parts) {
        Await.until("failed with " + String.join(" and ", parts), 10_000, () -> {
            DeviceLifecycle l = device.lifecycle();
            if (l.state() != DeviceState.FAILED) {
                return false;
            }
            for (String p : parts) {
                if (!l.reason().contains(p)) {
                    return false;
                }
            }
            return true;
        }, device::describe);
    }

    /** A configuration change restarts the boot state machine (as after a reboot). */
    private static void rerun(Device device, int n) throws Exception {
        device.configure("dev.avocado.boot", "rerun", n);
    }

    private static void use(Path variantData, Path data) {
        move(variantData.resolve("keys/idevid.p8"), data.resolve("keys/idevid.p8"));
        move(variantData.resolve("identity/idevid.pem"), data.resolve("identity/idevid.pem"));
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
