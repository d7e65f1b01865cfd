package dev.avocado.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.itest.Fixtures.Manufacturer;
import dev.avocado.itest.p2probe.P2Probe;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * A provisioned device boots into partition two; a new build of a partition two bundle dropped into
 * the deploy folder (or given to Gogo's update) becomes active without a framework restart, and the
 * identity is untouched.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotRedeployIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Manufacturer m = Manufacturer.create("Acme");
        Path image = Fixtures.image(m);
        Fixtures.provisioned(image, m, "SN-0042");
        Fixtures.probe(image.resolve("p2/bundles/probe.jar"), 1, null);
        Fixtures.probe(image.resolve("staging/probe-2.jar"), 2, null);
        Fixtures.probe(image.resolve("staging/probe-3.jar"), 3, null);
        Fixtures.probe(image.resolve("staging/probe-4.jar"), 4, null);
        // a demo image: hot redeploy on, builds signed by the firmware signer
        java.security.KeyPair signer = Fixtures.firmwareSigner(image, m);
        Fixtures.sign(image.resolve("staging/probe-2.jar"), signer);
        return Fixtures.device(image, org.ops4j.pax.exam.CoreOptions.frameworkProperty(
                dev.avocado.api.firmware.FirmwareSignature.HOT_REDEPLOY).value("true"));
    }

    @Test
    public void newBuildInTheDeployFolderReplacesThePartitionTwoBundleWithoutRestart() throws Exception {
        Device device = new Device(context);
        DeviceLifecycle lifecycle = device.awaitSettled(DeviceState.PROVISIONED, 10_000);
        assertTrue(lifecycle.reason(), lifecycle.reason().startsWith("IDevID serial SN-0042"));
        assertEquals("1", P2Probe.runningBuild(context));

        Path image = Path.of(context.getProperty("avocado.image"));
        Bundle probe = probeBundle();
        long lifecycleServiceId = serviceId(DeviceLifecycle.class);
        long frameworkStart = context.getBundle(0).getLastModified();
        IdentityStore identity = device.service(IdentityStore.class);
        String idevidBefore = identity.idevid().orElseThrow().certificate().getSerialNumber().toString();

        // an unsigned build 4 dropped into the deploy folder is refused, saying why, and build 1 runs on
        Path deploy = image.resolve("data/deploy");
        Files.copy(image.resolve("staging/probe-4.jar"), deploy.resolve("unsigned.jar"));
        Await.until("unsigned build refused", 15_000, () -> events(device).contains("REDEPLOY_REFUSED"),
                () -> events(device));
        String refused = device.shell("device:events");
        assertTrue(refused, refused.contains("has no signature unsigned.jar.sig by the firmware signer"));
        assertEquals("1", P2Probe.runningBuild(context));
        Files.delete(deploy.resolve("unsigned.jar"));

        // drop build 2 and its signature into the deploy folder (written beside it, then moved in whole)
        Files.copy(image.resolve("staging/probe-2.jar.sig"), deploy.resolve("probe.jar.sig"));
        Path tmp = deploy.resolveSibling("probe.jar.tmp");
        Files.copy(image.resolve("staging/probe-2.jar"), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, deploy.resolve("probe.jar"), StandardCopyOption.ATOMIC_MOVE);
        Await.until("build 2 active", 15_000, () -> "2".equals(P2Probe.runningBuild(context)),
                () -> "build " + P2Probe.runningBuild(context));

        assertSame("the same bundle, updated in place", probe, probeBundle());
        assertEquals("1.0.2", probe.getVersion().toString());
        assertEquals("no framework restart", lifecycleServiceId, serviceId(DeviceLifecycle.class));
        assertEquals("no framework restart", frameworkStart, context.getBundle(0).getLastModified());
        assertEquals(Bundle.ACTIVE, context.getBundle(0).getState());
        assertEquals(DeviceState.PROVISIONED, lifecycle.state());
        assertEquals("identity survives", idevidBefore,
                identity.idevid().orElseThrow().certificate().getSerialNumber().toString());
        // the REDEPLOY event is posted (EventAdmin, asynchronous) after the update that made build 2 run
        Await.until("the REDEPLOY event", 5_000, () -> events(device).contains("REDEPLOY bundle=" + Fixtures.PROBE_BSN),
                () -> events(device));

        // taking the build out of the deploy folder restores the partition two build
        Files.delete(deploy.resolve("probe.jar"));
        Await.until("build 1 restored", 15_000, () -> "1".equals(P2Probe.runningBuild(context)),
                () -> "build " + P2Probe.runningBuild(context));

        // Gogo's update does the same from a URL
        String out = device.shell("felix:update " + probe.getBundleId() + " "
                + image.resolve("staging/probe-3.jar").toUri());
        Await.until("build 3 active after felix:update", 10_000, () -> "3".equals(P2Probe.runningBuild(context)),
                () -> "build " + P2Probe.runningBuild(context) + ", shell said: " + out);
        assertEquals(lifecycleServiceId, serviceId(DeviceLifecycle.class));
    }

    private static String events(Device device) {
        try {
            return device.shell("device:events");
        } catch (Exception e) {
            return "device:events failed: " + e;
        }
    }

    private Bundle probeBundle() {
        for (Bundle b : context.getBundles()) {
            if (Fixtures.PROBE_BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("the p2 probe bundle is not installed");
    }

    private long serviceId(Class<?> type) {
        ServiceReference<?> ref = context.getServiceReference(type);
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }
}
