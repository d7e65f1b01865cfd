package dev.avocado.launcher;

import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleListener;
import dev.avocado.api.lifecycle.Reboot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * One device: boots its image into Felix, again after every reboot, until the framework stops for good
 * (or, in batch mode, until the wanted state is reached).
 */
final class Device {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int TIMEOUT = 3;
    static final int EXEC_FAILED = 4;

    /** How the device runs: with the Gogo shell on the console, as a service, or until a state. */
    enum Mode {
        SHELL, DAEMON, BATCH
    }

    /** How the launcher was asked to run. */
    record Options(Mode mode, DeviceState until, long timeoutMillis, String exec, Map<String, String> properties) {

        boolean interactive() {
            return mode == Mode.SHELL;
        }

        boolean untilStopped() {
            return mode != Mode.BATCH;
        }
    }

    private final DeviceImage image;
    private final Options options;
    private final PrintStream out;
    private volatile Framework framework;
    private volatile boolean rebootRequested;
    private volatile boolean shuttingDown;

    /** What the boot's checks tell after the firmware line (hot redeploy, refused builds). */
    private volatile List<String> bootNotes = List.of();

    Device(DeviceImage image, Options options, PrintStream out) {
        this.image = image;
        this.options = options;
        this.out = out;
    }

    int run() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "avocado-shutdown"));
        long deadline = System.currentTimeMillis() + options.timeoutMillis();
        String exec = options.exec();
        boolean first = true;
        boolean afterCommands = false;
        while (true) {
            // the check of p1 runs while the framework initialises; no p1 bundle is installed before it passed
            CompletableFuture<FirmwareException> check = CompletableFuture.supplyAsync(this::checkFirmware);
            rebootRequested = false;
            // after --exec commands rebooted the device, follow the reboot to its first state
            StateFollower follower = new StateFollower(out, afterCommands ? DeviceState.UNPROVISIONED : options.until());
            Framework fw = create(follower);
            FirmwareException refused = check.join();
            if (refused != null) {
                stop(fw);
                out.println("avocado: refusing to boot: " + refused.getMessage());
                return FAILED;
            }
            out.println("[launcher] p1 verified against its signed manifest; " + (first ? "booting" : "rebooting")
                    + " " + image.root());
            bootNotes.forEach(out::println);
            start(fw);
            first = false;
            if (options.untilStopped()) {
                FrameworkEvent stopped = fw.waitForStop(0);
                if (awaitOwnRestart(fw, stopped)) {
                    continue;
                }
                return OK;
            }
            // batch: wait for the state, across reboots, within the one timeout
            StateFollower.Outcome outcome = StateFollower.Outcome.WAITING;
            while (outcome == StateFollower.Outcome.WAITING && System.currentTimeMillis() < deadline
                    && fw.getState() == Bundle.ACTIVE) {
                outcome = follower.await(Math.min(200, Math.max(1, deadline - System.currentTimeMillis())));
            }
            if (outcome == StateFollower.Outcome.WAITING && (rebootRequested || fw.getState() != Bundle.ACTIVE)) {
                FrameworkEvent stopped = fw.waitForStop(TimeUnit.SECONDS.toMillis(30));
                if (awaitOwnRestart(fw, stopped)) {
                    continue;
                }
                out.println("avocado: the framework stopped before the device reached "
                        + (options.until() == null ? "a settled state" : options.until().label()));
                return FAILED;
            }
            int code = switch (outcome) {
                case REACHED -> OK;
                // --exec alone inspects the device whatever its state, a failed one included
                case FAILED -> (options.until() == null && exec != null) || afterCommands ? OK : FAILED;
                case WAITING -> TIMEOUT;
            };
            if (outcome == StateFollower.Outcome.FAILED && code != OK) {
                out.println("avocado: device failed: " + follower.describe());
            } else if (outcome == StateFollower.Outcome.WAITING) {
                out.println("avocado: timed out after " + options.timeoutMillis() / 1000 + " s waiting for "
                        + (options.until() == null ? "a settled state" : "state " + options.until().label())
                        + "; device is " + follower.describe());
            }
            if (code == OK && exec != null) {
                code = GogoExec.run(fw.getBundleContext(), exec, out, out) == 0 ? OK : EXEC_FAILED;
                exec = null;
                if (code == OK && rebootRequested) {
                    // the commands rebooted the device (device:wipe, device:reboot): follow the reboot
                    fw.waitForStop(TimeUnit.SECONDS.toMillis(30));
                    afterCommands = true;
                    continue;
                }
            }
            stop(fw);
            return code;
        }
    }

    /** True when the framework stopped to reboot (ours, or Felix's own after a system bundle update). */
    private boolean awaitOwnRestart(Framework fw, FrameworkEvent stopped) throws Exception {
        if (rebootRequested) {
            return true;
        }
        if (stopped.getType() == FrameworkEvent.STOPPED_UPDATE && !shuttingDown) {
            // Felix restarts itself after "update 0"; take it down again and reboot through the
            // manifest check like any other reboot.
            for (int i = 0; i < 300 && fw.getState() != Bundle.ACTIVE; i++) {
                Thread.sleep(100);
            }
            stop(fw);
            return true;
        }
        return false;
    }

    private FirmwareException checkFirmware() {
        try {
            X509Certificate signer = FirmwareManifest.verify(image.p1());
            // partition two is signed by the same firmware signer: nothing written to it while the device
            // was off runs
            FirmwareManifest.verifyPartitionTwo(image.p2(), signer);
            java.util.Map<String, String> settings = settings();
            FirmwareConfig.apply(image, settings);
            bootNotes = HotRedeploy.screen(image, HotRedeploy.enabled(settings), signer.getPublicKey());
            return null;
        } catch (FirmwareException e) {
            return e;
        } catch (IOException e) {
            return new FirmwareException("the firmware's settings or data/deploy cannot be read: " + e.getMessage(), e);
        }
    }

    /** The firmware's properties (signed with p1), the launcher's command line over them. */
    private java.util.Map<String, String> settings() throws IOException {
        java.util.Map<String, String> settings = new java.util.HashMap<>(image.firmwareProperties());
        settings.putAll(options.properties());
        return settings;
    }

    /** A framework, initialised, with the launcher's typed listener and reboot service, and no bundle yet. */
    private Framework create(StateFollower follower) throws Exception {
        Framework fw = new Felix(frameworkProperties());
        fw.init();
        BundleContext context = fw.getBundleContext();
        context.registerService(LifecycleListener.class, follower, null);
        context.registerService(Reboot.class, this::requestReboot, null);
        return fw;
    }

    /** Installs partition one's bundles in place and starts them in the order of p1/bundles.list. */
    private void start(Framework fw) throws Exception {
        BundleContext context = fw.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : image.bundles()) {
            bundles.add(context.installBundle("reference:" + jar.toUri()));
        }
        fw.start();
        framework = fw;
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                out.println("avocado: p1 bundle " + b.getSymbolicName() + " does not start: " + e.getMessage());
            }
        }
    }

    private void requestReboot() {
        rebootRequested = true;
        Framework fw = framework;
        new Thread(() -> stop(fw), "avocado-reboot").start();
    }

    private Map<String, String> frameworkProperties() throws IOException {
        Map<String, String> settings = settings();
        Map<String, String> p = new HashMap<>();
        Files.createDirectories(image.data());
        p.put(Constants.FRAMEWORK_STORAGE, image.cache().toString());
        // every boot starts from the firmware and the data partition, never from a stale cache
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // the launcher and the bundles share the lifecycle types: the launcher follows the device typed
        p.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SharedApi.systemPackagesExtra());
        p.put(Partitions.IMAGE, image.root().toString());
        p.put(Partitions.P1, image.p1().toString());
        p.put(Partitions.P2, image.p2().toString());
        p.put(Partitions.DATA, image.data().toString());
        p.put("felix.cm.dir", image.configAdmin().toString());
        Files.createDirectories(image.config());
        Files.createDirectories(image.deploy());
        // the firmware's own settings first (written by the launcher from p1), then the data partition's;
        // the deploy folder only on an image built with hot redeploy
        p.put("felix.fileinstall.dir", image.firmwareConfig() + "," + image.config()
                + (HotRedeploy.enabled(settings) ? "," + image.deploy() : ""));
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        // FileInstall rewrites a .cfg in place when its configuration changes, and a rescan can then read it
        // half written (seen as a config of the TPM key service without its TCTI): the files stay as written
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.log.level", "2");
        p.put("felix.log.level", "1");
        p.put("ds.loglevel", "warn");
        // EventAdmin warns on stderr when the framework stops under an event being delivered
        p.put("org.apache.felix.eventadmin.LogLevel", "1");
        p.put("org.apache.felix.log.maxSize", "500");
        if (!options.interactive()) {
            // the Gogo shell bundle still runs (its built-in commands and converters serve --exec),
            // but reads no console
            p.put("gosh.args", "--nointeractive");
        }
        p.putAll(settings);
        return p;
    }

    private void stop(Framework fw) {
        if (fw == null) {
            return;
        }
        try {
            fw.stop();
            fw.waitForStop(TimeUnit.SECONDS.toMillis(30));
        } catch (BundleException | InterruptedException e) {
            out.println("avocado: framework stop: " + e.getMessage());
        }
    }

    private void shutdown() {
        shuttingDown = true;
        Framework fw = framework;
        if (fw != null && (fw.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
            stop(fw);
        }
    }
}
