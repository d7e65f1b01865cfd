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
 * root file system with /avocado/p1), p2 (squashfs), data (ext4, grown at first boot). A Raspberry Pi 4
 * image has a FAT boot partition first, with the Pi's firmware, the kernel, the initrd and config.txt.
 */
final class DiskImage {

    /** The boards an image is made for: qemu's virtual machines (amd64 PC, arm64 virt) and the Raspberry Pi 4 (arm64). */
    enum Board {
        QEMU, RPI4;

        /** The architecture of an image for this board when none is asked for. */
        String defaultArch() {
            return this == RPI4 ? "arm64" : "amd64";
        }

        /** The key service by default: the TPM where the board has one the kernel drives. */
        String defaultKeys(String arch) {
            // a Pi 4 with an SPI TPM (SLB9670 class, dtoverlay=tpm-slb9670); qemu's arm64 virt board has
            // a TPM Debian's arm64 kernel cannot drive (CONFIG_TCG_TIS is not set)
            return this == RPI4 || "amd64".equals(arch) ? "tpm" : "soft";
        }

        static Board named(String name) {
            for (Board b : values()) {
                if (b.name().equalsIgnoreCase(name)) {
                    return b;
                }
            }
            throw new IllegalArgumentException("--board must be qemu or rpi4, not '" + name + "'");
        }
    }

    /** What the image's systemd setup says about the device. */
    record Options(String arch, Board board, String keys, String shellTty) {
        Options {
            if (!List.of("amd64", "arm64").contains(arch)) {
                throw new IllegalArgumentException("--arch must be amd64 or arm64, not '" + arch + "'");
            }
            if (board == Board.RPI4 && !"arm64".equals(arch)) {
                throw new IllegalArgumentException("--board rpi4 is an arm64 image, not " + arch);
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
        Path rootfs = rootfs(options.arch(), options.board());
        long start = System.nanoTime();
        run(List.of(scripts.resolve("assemble").toString(), rootfs.toString(), imageFolder.toAbsolutePath().toString(),
                disk.toAbsolutePath().toString(), options.board().name().toLowerCase(Locale.ROOT), options.keys(),
                options.shellTty() == null ? "none" : options.shellTty()));
        out.printf("assembled in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return disk;
    }

    /** The cached root file system for {@code arch} on {@code board}, built when its recipe changed (or was never built). */
    Path rootfs(String arch, Board board) throws IOException, InterruptedException {
        Path recipe = scripts.resolve("rootfs");
        String boardName = board.name().toLowerCase(Locale.ROOT);
        Path dir = cache.resolve("rootfs-" + arch + "-" + boardName + "-" + hash(recipe, arch + "-" + boardName));
        if (Files.isDirectory(dir.resolve("usr"))) {
            out.println("root file system: " + dir + " (cached; its recipe is unchanged)");
            return dir;
        }
        Files.createDirectories(cache);
        out.println("root file system: building " + dir + " with mmdebstrap (Debian bookworm " + arch + ", " + boardName + ") ...");
        long start = System.nanoTime();
        run(List.of(recipe.toString(), arch, boardName, dir.toString()));
        out.printf("root file system built in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return dir;
    }

    /** The recipe's SHA-256 with what it is built for ("arm64-rpi4"): a new recipe is a new cache entry. */
    static String hash(Path recipe, String target) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(recipe));
            md.update(target.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
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
