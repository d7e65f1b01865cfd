package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "firmware", description = "Device images.", mixinStandardHelpOptions = true,
        subcommands = {FirmwareCommand.Build.class, FirmwareCommand.Image.class, FirmwareCommand.Sign.class})
final class FirmwareCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds a device image: p1 (read-only firmware with the MPR and a signed manifest), "
                    + "p2 (onboarding bundles), data (empty).")
    static final class Build implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @Option(names = "--out", required = true, paramLabel = "IMAGE", description = "The image folder to create.")
        Path out;

        @Option(names = "--mpr", paramLabel = "FILE",
                description = "Put this file on p1 as the MPR instead of the PKI's (it must still issue the firmware signer).")
        Path mpr;

        @Option(names = "--force", description = "Replace an existing image.")
        boolean force;

        @Option(names = "--keys", paramLabel = "soft|tpm", defaultValue = "soft",
                description = "The key service the device uses. Default: ${DEFAULT-VALUE}.")
        String keys;

        @Option(names = "--tcti", paramLabel = "TCTI",
                description = "With --keys tpm: how the device reaches its TPM (device:/dev/tpmrm0, swtpm:port=2321).")
        String tcti;

        @Option(names = "--anchor-mpr", arity = "0..1", paramLabel = "tpm-nv:INDEX", fallbackValue = MprAnchoring.DEFAULT,
                description = "Write the MPR into the device's TPM NV index and write-lock it for good; the firmware "
                        + "then refuses any other MPR. Needs --keys tpm and --tcti. Default index: " + MprAnchoring.DEFAULT + ".")
        String anchorMpr;

        @Option(names = "--anchor-content", paramLabel = "certificate|digest", defaultValue = "certificate",
                description = "What the NV index holds: the MPR certificates (the device can read its MPR from NV) or "
                        + "their SHA-256. Default: ${DEFAULT-VALUE}.")
        String anchorContent;

        @Option(names = "--hot-redeploy", description = "DEMO IMAGES: builds in data/deploy that the firmware signer "
                + "signed (firmware sign) replace partition two bundles while the device runs. Without it (production) "
                + "the device never reads data/deploy.")
        boolean hotRedeploy;

        @Option(names = "--serial", paramLabel = "SERIAL",
                description = "The device's serial number, for its IDevID (otherwise the device reads its configured source).")
        String serial;

        @Override
        public Integer call() throws Exception {
            MprAnchoring.Content content = MprAnchoring.Content.valueOf(anchorContent.toUpperCase(java.util.Locale.ROOT));
            new ImageBuilder(new Pki(pki), Home.partitions(), System.out).hotRedeploy(hotRedeploy).build(out, mpr, force,
                    keys, tcti, anchorMpr, content, serial);
            return 0;
        }
    }

    @Command(name = "image", mixinStandardHelpOptions = true,
            description = "Builds a flashable disk image: the firmware of 'firmware build' in a Debian root file system "
                    + "(squashfs, read-only by construction) as partition one, partition two (squashfs) and the data "
                    + "partition (ext4, grown to the medium at first boot); systemd starts the device at power-on. "
                    + "Beside it, IMAGE.boot/ holds the kernel and initrd. Runs as root (mmdebstrap); the root file "
                    + "system is cached by a hash of its recipe (partitions/image/rootfs).")
    static final class Image implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @Option(names = "--out", required = true, paramLabel = "IMAGE", description = "The disk image file to write.")
        Path out;

        @Option(names = "--arch", paramLabel = "amd64|arm64", description = "Default: amd64 (qemu), arm64 (rpi4).")
        String arch;

        @Option(names = "--board", paramLabel = "qemu|rpi4", defaultValue = "qemu", description = "qemu: a virtual machine's "
                + "disk, its kernel and initrd in IMAGE.boot/; rpi4: a Raspberry Pi 4 SD card, with a FAT boot partition "
                + "(the Pi's firmware, config.txt with dtoverlay=tpm-slb9670, the kernel and initrd). Default: ${DEFAULT-VALUE}.")
        String board;

        @Option(names = "--keys", paramLabel = "soft|tpm",
                description = "The key service. Default: tpm (the kernel's /dev/tpmrm0) on amd64 and rpi4 (an SPI TPM), soft "
                        + "on qemu's arm64 board (Debian's arm64 kernel has no driver for a virtual machine's TPM).")
        String keys;

        @Option(names = "--tcti", paramLabel = "TCTI", defaultValue = "device:/dev/tpmrm0", description = "Default: ${DEFAULT-VALUE}.")
        String tcti;

        @Option(names = "--serial", paramLabel = "SERIAL", description = "The device's serial number (otherwise /proc/cpuinfo's).")
        String serial;

        @Option(names = "--registrar", paramLabel = "URL", description = "The registrar's address (otherwise DNS-SD).")
        String registrar;

        @Option(names = "--ssid", paramLabel = "SSID", description = "The owner's network that E.1 writes a profile for.")
        String ssid;

        @Option(names = "--radius-server", paramLabel = "NAME", description = "The RADIUS server's name in the E.1 profile.")
        String radiusServer;

        @Option(names = "--shell-tty", paramLabel = "TTY", description = "DEMO IMAGES: the Gogo shell, without login, on "
                + "this serial port (ttyS1 in the virtual machine). Without it the device runs as a daemon with no shell.")
        String shellTty;

        @Option(names = "--hot-redeploy", description = "DEMO IMAGES: as 'firmware build --hot-redeploy'.")
        boolean hotRedeploy;

        @Override
        public Integer call() throws Exception {
            DiskImage.Board board = DiskImage.Board.named(this.board);
            String arch = this.arch != null ? this.arch : board.defaultArch();
            String keys = this.keys != null ? this.keys : board.defaultKeys(arch);
            DiskImage.Options options = new DiskImage.Options(arch, board, keys, shellTty);
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            Path folder = java.nio.file.Files.createTempDirectory(out.toAbsolutePath().getParent(), ".firmware");
            try {
                dev.avocado.launcher.DeviceImage image = new ImageBuilder(new Pki(pki), Home.partitions(), System.out)
                        .hotRedeploy(hotRedeploy).setsSystemClock(true).build(folder, null, true, keys, "tpm".equals(keys) ? tcti : null, null,
                                MprAnchoring.Content.CERTIFICATE, serial);
                if (registrar != null || ssid != null || radiusServer != null) {
                    DeviceConfig.onboarding(image, registrar, null, ssid, radiusServer);
                }
                DiskImage.inCheckout(System.out).build(folder, out, options);
            } finally {
                ImageBuilder.deleteTree(folder);
            }
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Signs bundles for hot redeploy with the firmware signing key: writes JAR.sig beside each "
                    + "(openssl dgst -sha256 -verify checks it). Copy the .sig into data/deploy first, then the jar.")
    static final class Sign implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "JAR")
        java.util.List<Path> jars;

        @Override
        public Integer call() throws Exception {
            Pki.Credential signer = new Pki(pki).load(Pki.MANUFACTURER, Pki.FIRMWARE_SIGNER);
            for (Path jar : jars) {
                Path sig = ImageBuilder.sign(jar, signer);
                AdminForward.out().println("signed " + jar + ": " + sig);
            }
            return 0;
        }
    }
}
