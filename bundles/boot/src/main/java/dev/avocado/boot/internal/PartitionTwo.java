package dev.avocado.boot.internal;

import dev.avocado.api.firmware.FirmwareSignature;
import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.lifecycle.LifecycleEvents;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * What runs from partition two: installs its bundles in place ({@code reference:file:}) once the boot
 * state machine allows it (the launcher checked p2 against its signed manifest), and, on an image built
 * with hot redeploy, lets a new build dropped into the deploy folder replace one of them while the
 * framework runs (FileInstall hands such jars to this installer). A build is taken only with its
 * signature by the firmware signer ({@code NAME.jar.sig}), and installed from the bytes that were
 * checked; anything else is refused with a reason and an event. Removing the new build from the deploy
 * folder restores the partition two version.
 */
@Component(service = {PartitionTwo.class, ArtifactInstaller.class}, configurationPid = PartitionTwo.PID)
@Designate(ocd = PartitionTwoConfig.class)
public class PartitionTwo implements ArtifactInstaller {

    public static final String PID = "dev.avocado.p2";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference
    private EventAdmin events;

    private final BundleContext context;
    private final Path bundlesFolder;
    private final Path deployFolder;
    /** A checked build from the deploy folder: its file and the bytes whose signature verified. */
    private record Build(File file, byte[] data) {
    }

    /** Bundle symbolic name to the deploy folder build that replaces the partition two build. */
    private final Map<String, Build> overrides = new ConcurrentHashMap<>();
    /** The image was built with hot redeploy (firmware property, signed with p1). */
    private final boolean hotRedeploy;
    private final Path p1;
    /** The firmware signer's key, read from p1 the first time a build is checked. */
    private java.security.PublicKey signer;
    private volatile boolean active;

    @Activate
    public PartitionTwo(BundleContext context, PartitionTwoConfig config) {
        this.context = context;
        this.bundlesFolder = Partitions.folder(context, config.bundles(), Partitions.P2, "bundles");
        this.deployFolder = Partitions.folder(context, config.deploy(), Partitions.DATA, "deploy");
        this.hotRedeploy = Boolean.parseBoolean(context.getProperty(FirmwareSignature.HOT_REDEPLOY));
        this.p1 = Partitions.folder(context, null, Partitions.P1, ".");
    }

    /**
     * Installs and starts every bundle of partition two (and the deploy folder builds that replace
     * some of them).
     *
     * @return the started bundles
     * @throws BundleException naming every jar that could not be installed or started, and why
     */
    public synchronized List<Bundle> activatePartition() throws BundleException {
        Map<Path, String> jars;
        try {
            jars = jars();
        } catch (IOException e) {
            throw new BundleException("partition two: cannot list " + bundlesFolder + ": " + e.getMessage(), e);
        }
        adoptDeployedBuilds(jars);
        List<Bundle> bundles = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Path, String> jar : jars.entrySet()) {
            String location = location(jar.getKey());
            try {
                Bundle b = context.getBundle(location);
                if (b == null) {
                    b = context.installBundle(location);
                }
                Build override = overrides.get(jar.getValue());
                if (override != null) {
                    b.update(new ByteArrayInputStream(override.data()));
                    log.info("p2 bundle {} runs the signed build from {}", jar.getValue(), override.file());
                }
                bundles.add(b);
            } catch (BundleException e) {
                problems.add(jar.getKey().getFileName() + ": " + e.getMessage());
            }
        }
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                problems.add(fileName(b) + " does not start: " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            }
        }
        active = true;
        if (!problems.isEmpty()) {
            throw new BundleException("partition two: " + String.join("; ", problems));
        }
        log.info("partition two active: {} bundle(s) from {}", bundles.size(), bundlesFolder);
        return bundles;
    }

    /**
     * A new build left in the deploy folder can reach FileInstall before this installer is registered
     * (at boot), and FileInstall then installs it as a bundle of its own, which would clash with its
     * partition two original. Such a bundle is uninstalled and its jar becomes the override it was meant
     * to be.
     */
    private void adoptDeployedBuilds(Map<Path, String> jars) {
        if (!hotRedeploy) {
            return;
        }
        List<Bundle> removed = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (!location.startsWith("file:") || b.getSymbolicName() == null || !jars.containsValue(b.getSymbolicName())) {
                continue;
            }
            Path file;
            try {
                file = Path.of(java.net.URI.create(location)).toAbsolutePath().normalize();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                continue;
            }
            if (!file.startsWith(deployFolder)) {
                continue;
            }
            try {
                b.uninstall();
                removed.add(b);
                byte[] data = checked(file.toFile());
                if (data != null) {
                    overrides.put(b.getSymbolicName(), new Build(file.toFile(), data));
                    log.info("p2 bundle {}: the build {} was installed on its own at boot; it now replaces the p2 build",
                            b.getSymbolicName(), file);
                }
            } catch (BundleException | IllegalStateException e) {
                log.warn("cannot take over {} from the deploy folder: {}", location, e.getMessage());
            }
        }
        refresh(removed);
    }

    /** Uninstalls the partition two bundles (before a wipe: nothing of p2 may run without an IDevID). */
    public synchronized void deactivatePartition() {
        active = false;
        List<Bundle> removed = new ArrayList<>();
        for (Bundle b : bundles()) {
            try {
                b.uninstall();
                removed.add(b);
            } catch (BundleException | IllegalStateException e) {
                log.warn("cannot uninstall p2 bundle {}: {}", b.getSymbolicName(), e.getMessage());
            }
        }
        refresh(removed);
    }

    /** The installed partition two bundles. */
    public List<Bundle> bundles() {
        String prefix = location(bundlesFolder) + "/";
        List<Bundle> result = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(prefix)) {
                result.add(b);
            }
        }
        return result;
    }

    // --- FileInstall: jars in the deploy folder that are new builds of partition two bundles

    /**
     * Every file of the deploy folder is this installer's, so that FileInstall never installs one on
     * its own (it installs anything shaped like a bundle, whatever its name); nothing is, on an image
     * without hot redeploy.
     */
    @Override
    public boolean canHandle(File artifact) {
        return hotRedeploy && artifact.toPath().toAbsolutePath().normalize().startsWith(deployFolder);
    }

    @Override
    public void install(File artifact) throws Exception {
        redeploy(jarOf(artifact));
    }

    @Override
    public void update(File artifact) throws Exception {
        redeploy(jarOf(artifact));
    }

    /** The jar of a signature file (a signature that arrives after its jar makes the jar count). */
    private static File jarOf(File artifact) {
        String name = artifact.getName();
        return name.endsWith(FirmwareSignature.SUFFIX)
                ? new File(artifact.getParentFile(), name.substring(0, name.length() - FirmwareSignature.SUFFIX.length()))
                : artifact;
    }

    @Override
    public synchronized void uninstall(File artifact) throws Exception {
        if (artifact.getName().endsWith(FirmwareSignature.SUFFIX)) {
            return; // the build it signed stays as it was checked
        }
        String bsn = overrides.entrySet().stream().filter(e -> e.getValue().file().equals(artifact)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        if (bsn == null) {
            return;
        }
        overrides.remove(bsn);
        Optional<Bundle> b = installed(bsn);
        if (active && b.isPresent()) {
            b.get().update(); // from its location: the partition two build
            refresh(List.of(b.get()));
            announce(bsn, b.get().getLocation(), "restored from partition two");
        }
    }

    private synchronized void redeploy(File artifact) throws Exception {
        if (!artifact.isFile()) {
            return; // a signature whose jar is not there (yet)
        }
        if (!artifact.getName().endsWith(".jar")) {
            refuse(artifact, "only NAME.jar with its signature NAME.jar.sig is taken from the deploy folder");
            return;
        }
        byte[] data = checked(artifact);
        if (data == null) {
            return;
        }
        String bsn = symbolicName(data).orElse(null);
        if (bsn == null || !jars().containsValue(bsn)) {
            refuse(artifact, bsn == null ? "it is not an OSGi bundle (no Bundle-SymbolicName)"
                    : "bundle " + bsn + " is not one of partition two's; only they can be redeployed");
            return;
        }
        overrides.put(bsn, new Build(artifact, data));
        Optional<Bundle> b = installed(bsn);
        if (active && b.isPresent()) {
            b.get().update(new ByteArrayInputStream(data));
            refresh(List.of(b.get()));
            announce(bsn, artifact.toString(), "redeployed from " + artifact + " (signed by the firmware signer)");
        } else {
            log.info("p2 bundle {}: new build {} recorded; it runs once partition two is active", bsn, artifact);
        }
    }

    /** The bytes of a build whose signature by the firmware signer verifies; null (refused, said) otherwise. */
    private byte[] checked(File artifact) {
        try {
            if (signer == null) {
                // p1 (with this certificate) was verified by the launcher at boot; read once
                signer = FirmwareSignature.signer(p1).getPublicKey();
            }
            return FirmwareSignature.verified(artifact.toPath(), signer);
        } catch (IOException e) {
            refuse(artifact, e.getMessage());
            return null;
        }
    }

    private void refuse(File artifact, String why) {
        log.warn("hot redeploy refused {}: {}", artifact, why);
        events.postEvent(new Event(LifecycleEvents.REDEPLOY_REFUSED_TOPIC, Map.of(LifecycleEvents.FILE, artifact.toString(),
                LifecycleEvents.REASON, why, LifecycleEvents.TIMESTAMP, System.currentTimeMillis())));
    }

    private void announce(String bsn, String file, String what) {
        log.info("p2 bundle {} {}", bsn, what);
        events.postEvent(new Event(LifecycleEvents.REDEPLOY_TOPIC, Map.of(LifecycleEvents.BUNDLE, bsn,
                LifecycleEvents.FILE, file, LifecycleEvents.TIMESTAMP, System.currentTimeMillis())));
    }

    private Optional<Bundle> installed(String bsn) {
        return bundles().stream().filter(b -> bsn.equals(b.getSymbolicName())).findFirst();
    }

    /** The jars of partition two, in name order, with their symbolic names. */
    private Map<Path, String> jars() throws IOException {
        Map<Path, String> jars = new LinkedHashMap<>();
        if (!Files.isDirectory(bundlesFolder)) {
            return jars;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bundlesFolder, "*.jar")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        for (Path f : files) {
            jars.put(f, symbolicName(f).orElse(f.getFileName().toString()));
        }
        return jars;
    }

    private void refresh(List<Bundle> bundles) {
        if (bundles.isEmpty()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class).refreshBundles(bundles,
                event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        done.countDown();
                    }
                });
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                log.warn("bundle refresh did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Optional<String> symbolicName(byte[] jar) {
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return bsn == null ? Optional.empty() : Optional.of(bsn.split(";")[0].trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> symbolicName(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return bsn == null ? Optional.empty() : Optional.of(bsn.split(";")[0].trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String location(Path path) {
        return "reference:" + path.toAbsolutePath().normalize().toUri().toString().replaceAll("/$", "");
    }

    private static String fileName(Bundle b) {
        String loc = b.getLocation();
        return loc.substring(loc.lastIndexOf('/') + 1);
    }
}
