package dev.avocado.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A flashable disk image of a device: the operating system (Debian packages, built once by
 * {@code partitions/image/rootfs} and cached by a hash of that recipe) with the firmware of a device
 * image folder in it, assembled by {@code partitions/image/assemble} into a GPT disk: p1 (squashfs, the
 * root file system with /avocado/p1), p2 (squashfs), data (ext4, grown at first boot).
 */
final class DiskImage {

    /** The boards an image is made for: a virtual machine (a Raspberry Pi 4 is named, and refused until it is built). */
    enum Board {
        QEMU, RPI4
    }

    /** What the image's systemd setup says about the device. */
    record Options(String arch, Board board, String keys, String shellTty) {
        Options {
            if (!List.of("amd64", "arm64").contains(arch)) {
                throw new IllegalArgumentException("--arch must be amd64 or arm64, not '" + arch + "'");
            }
            if (board == Board.RPI4) {
                // refused rather than made wrong: a Pi needs a boot partition with its firmware, config.txt
                // (dtoverlay=tpm-slb9670) and the kernel, which the assembly does not make yet
                throw new IllegalArgumentException("--board rpi4 is not built yet: the image has no boot partition "
                        + "with the Raspberry Pi firmware; --board qemu (amd64 or arm64) is");
            }
            if (shellTty != null && !shellTty.matches("(tty[A-Za-z]*|hvc)[0-9]+")) {
                throw new IllegalArgumentException("--shell-tty must name a serial port such as ttyS1, not '" + shellTty + "'");
            }
        }
    }

    private final Path scripts;
    private final Path cache;
    private final PrintStream out;

    DiskImage(Path scripts, Path cache, PrintStream out) {
        this.scripts = scripts;
        this.cache = cache;
        this.out = out;
    }

    /** The recipes in the checkout, and the cache: $AVOCADO_CACHE, else /var/cache/avocado. */
    static DiskImage inCheckout(PrintStream out) {
        String env = System.getenv("AVOCADO_CACHE");
        return new DiskImage(Home.root().resolve("partitions").resolve("image"),
                Path.of(env != null && !env.isBlank() ? env : "/var/cache/avocado"), out);
    }

    /**
     * Writes {@code disk} (and {@code disk.boot/} with the kernel and initrd) from the image folder.
     *
     * @return the disk image
     */
    Path build(Path imageFolder, Path disk, Options options) throws IOException, InterruptedException {
        Path rootfs = rootfs(options.arch());
        long start = System.nanoTime();
        run(List.of(scripts.resolve("assemble").toString(), rootfs.toString(), imageFolder.toAbsolutePath().toString(),
                disk.toAbsolutePath().toString(), options.board().name().toLowerCase(Locale.ROOT), options.keys(),
                options.shellTty() == null ? "none" : options.shellTty()));
        out.printf("assembled in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return disk;
    }

    /** The cached root file system for {@code arch}, built when its recipe changed (or was never built). */
    Path rootfs(String arch) throws IOException, InterruptedException {
        Path recipe = scripts.resolve("rootfs");
        Path dir = cache.resolve("rootfs-" + arch + "-" + hash(recipe, arch));
        if (Files.isDirectory(dir.resolve("usr"))) {
            out.println("root file system: " + dir + " (cached; its recipe is unchanged)");
            return dir;
        }
        Files.createDirectories(cache);
        out.println("root file system: building " + dir + " with mmdebstrap (Debian bookworm " + arch + ") ...");
        long start = System.nanoTime();
        run(List.of(recipe.toString(), arch, dir.toString()));
        out.printf("root file system built in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return dir;
    }

    /** The recipe's SHA-256 and the architecture: a new recipe is a new cache entry. */
    static String hash(Path recipe, String arch) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(recipe));
            md.update(arch.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("Unrecognised xattr prefix") && !line.startsWith("Creating regular file")) {
                    out.println(line);
                }
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new IOException(Path.of(command.get(0)).getFileName() + " failed (exit " + code + "): see the lines above"
                    + (code == 1 && !isRoot() ? "; it must run as root (mmdebstrap, mksquashfs, mkfs.ext4)" : ""));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
