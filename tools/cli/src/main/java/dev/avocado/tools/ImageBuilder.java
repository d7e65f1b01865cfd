package dev.avocado.tools;

import dev.avocado.server.Pki;
import dev.avocado.launcher.DeviceImage;
import dev.avocado.api.firmware.FirmwareSignature;
import dev.avocado.launcher.FirmwareManifest;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.profile.ProfileException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds a device image: partition one (launcher, boot bundles, MPR, firmware signer certificate, signed
 * manifest, read-only), partition two (onboarding bundles) and an empty data partition with the default
 * configuration.
 */
final class ImageBuilder {

    private final Pki pki;
    private final Path partitions;
    private final PrintStream out;

    private boolean hotRedeploy;

    ImageBuilder(Pki pki, Path partitions, PrintStream out) {
        this.pki = pki;
        this.partitions = partitions;
        this.out = out;
    }

    private boolean setsSystemClock;

    /** A disk image's firmware: the device moves the system clock forward to its floor (a firmware property). */
    ImageBuilder setsSystemClock(boolean on) {
        this.setsSystemClock = on;
        return this;
    }

    /** A demo image: signed builds in data/deploy replace partition two bundles (a firmware property). */
    ImageBuilder hotRedeploy(boolean on) {
        this.hotRedeploy = on;
        return this;
    }

    /** Writes {@code jar.sig}, the firmware signer's detached signature over the jar. */
    static Path sign(Path jar, Pki.Credential signer) throws IOException, GeneralSecurityException {
        Path sig = jar.resolveSibling(jar.getFileName() + FirmwareSignature.SUFFIX);
        dev.avocado.protocol.io.AtomicFiles.write(sig, FirmwareSignature.sign(Files.readAllBytes(jar), signer.key()),
                dev.avocado.protocol.io.AtomicFiles.PUBLIC);
        return sig;
    }

    /**
     * @param mprOverride a different MPR file for p1 (a demo of a bad MPR, a key rollover), or null for
     *        the PKI's own
     */
    DeviceImage build(Path target, Path mprOverride, boolean force) throws IOException, GeneralSecurityException {
        return build(target, mprOverride, force, "soft", null, null, MprAnchoring.Content.CERTIFICATE, null);
    }

    /**
     * @param anchor {@code tpm-nv:INDEX} to write the MPR into the device's TPM and make the firmware
     *        insist on it, or null
     */
    DeviceImage build(Path target, Path mprOverride, boolean force, String keys, String tcti, String anchor,
            MprAnchoring.Content anchorContent, String serial) throws IOException, GeneralSecurityException {
        if (anchor != null && (!"tpm".equals(keys) || tcti == null)) {
            throw new IllegalArgumentException("--anchor-mpr writes into the device's TPM: it needs --keys tpm and --tcti");
        }
        Pki.Credential signer = pki.load(Pki.MANUFACTURER, Pki.FIRMWARE_SIGNER);
        Path mprSource = mprOverride != null ? mprOverride : pki.mpr();
        List<X509Certificate> mpr = Pem.readCertificates(mprSource);
        try {
            out.println("MPR:          " + mpr.get(0).getSubjectX500Principal().getName());
            out.println("provisioning: " + MprProfile.check(mpr, Instant.now(), MprProfile.DEFAULT_PORT));
        } catch (ProfileException e) {
            out.println("warning: the MPR " + mprSource + " does not pass the device's check, the device will "
                    + "refuse it: " + e.getMessage());
        }
        if (Files.exists(target)) {
            boolean empty;
            try (Stream<Path> s = Files.list(target)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !force) {
                throw new IOException(target + " exists and is not empty (use --force to replace it)");
            }
        }
        // built beside the target and moved in whole: a failed build leaves no half image behind
        Path staging = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".building");
        deleteTree(staging);
        try {
            assemble(DeviceImage.at(staging), signer, mpr, mprSource, keys, tcti, anchor, anchorContent);
            if (serial != null) {
                DeviceConfig.serial(DeviceImage.at(staging), serial);
            }
            deleteTree(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
        DeviceImage image = DeviceImage.at(target);
        out.println("image:        " + image.root() + " (p1 and p2 signed by "
                + signer.certificate().getSubjectX500Principal().getName() + "; hot redeploy "
                + (hotRedeploy ? "ON: a demo image" : "off") + ")");
        return image;
    }

    private void assemble(DeviceImage image, Pki.Credential signer, List<X509Certificate> mpr, Path mprSource,
            String keys, String tcti, String anchor, MprAnchoring.Content anchorContent)
            throws IOException, GeneralSecurityException {
        copyTree(partitions.resolve("p1"), image.p1());
        copyTree(partitions.resolve("p2"), image.p2());
        // the bundles p1.bndrun resolved, in start order; a jar it does not list is no firmware
        List<String> bundles = P1Bundles.bundlesList(image.p1());
        try (Stream<Path> jars = Files.list(image.p1().resolve("bundles"))) {
            for (Path jar : jars.toList()) {
                if (!bundles.contains(image.p1().relativize(jar).toString())) {
                    Files.delete(jar);
                }
            }
        }
        Files.write(image.p1().resolve(DeviceImage.BUNDLE_LIST), bundles);
        try (Stream<Path> bins = Files.list(image.p1().resolve("bin"))) {
            for (Path b : bins.toList()) {
                Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.createDirectories(image.p1().resolve("mpr"));
        Files.copy(mprSource, image.p1().resolve(FirmwareManifest.MPR), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(image.p1().resolve(FirmwareManifest.SIGNER), Pem.encode(signer.certificate()));
        // the security settings are firmware: signed with p1, never read from the data partition
        StringBuilder firmware = new StringBuilder("# set by firmware build, signed with partition one\n");
        firmware.append(DeviceConfig.keys(keys, tcti));
        // the device's clock is never taken to be earlier than this (docs/security.md, "A device that does not know the time")
        firmware.append("# when this firmware was built: the earliest the device takes the time to be\n")
                .append(dev.avocado.api.clock.DeviceClock.FIRMWARE_BUILT).append('=')
                .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append('\n');
        if (setsSystemClock) {
            firmware.append("# the device moves the system clock forward to what it knows for sure\n")
                    .append(dev.avocado.api.clock.DeviceClock.SYSTEM_CLOCK).append("=set\n");
        }
        if (hotRedeploy) {
            firmware.append("# a demo image: signed builds in data/deploy replace partition two bundles\n")
                    .append(FirmwareSignature.HOT_REDEPLOY).append("=true\n");
        }
        if (anchor != null) {
            out.println("MPR anchor:   " + MprAnchoring.anchor(tcti, anchor, mpr, anchorContent));
            firmware.append("# the device refuses an MPR that differs from the anchored one\n")
                    .append(MprAnchoring.firmwareProperty(anchor));
        }
        Files.writeString(image.p1().resolve(DeviceImage.FIRMWARE_PROPERTIES), firmware);
        FirmwareManifest.write(image.p1(), signer.key());
        readOnly(image.p1());
        FirmwareManifest.write(image.p2(), signer.key());

        Files.createDirectories(image.deploy());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** p1 is firmware: no write permission for anyone (a real device mounts it read-only). */
    private static void readOnly(Path p1) throws IOException {
        try (Stream<Path> walk = Files.walk(p1)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                boolean exec = Files.isDirectory(p) || p.getParent().getFileName().toString().equals("bin");
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
