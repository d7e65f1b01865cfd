package dev.avocado.tools;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.avocado.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The Raspberry Pi 4 SD card image, checked where no Pi is. A Pi 4 cannot be emulated here (qemu 7.2
 * has no raspi4b board), so what its boot loader and kernel will read is checked with the tools that
 * read it: the GPT (sfdisk), the FAT boot partition (mtools), the device tree with the TPM overlay
 * applied as the firmware applies it (fdtoverlay, fdtget), and the kernel's module aliases for the nodes
 * the overlay and the initrd need (unsquashfs on partition one). Then the same card, with the kernel and
 * initrd of its boot partition, boots on qemu's arm64 virt board and provisions and onboards (software
 * keys: that board's TPM has no driver in Debian's arm64 kernel), its data partition, number four, grown.
 * <p>
 * Runs only with {@code -Davocado.arm64=true} ({@code tools/test-arm64}): an arm64 root file system is
 * built through qemu-user-static's binfmt handler, which a CI container may not have.
 */
public class RaspberryPiImageTest {

    private static final String SERIAL = "AVO-PI000001";
    private static final String BOOT_TYPE = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"; // basic data: the Pi reads FAT there
    private static final String SPI0 = "/soc/spi@7e204000";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void arm64() {
        assumeTrue("the arm64 images are checked by tools/test-arm64 (-Davocado.arm64=true)", Boolean.getBoolean("avocado.arm64"));
    }

    @Test
    public void theCardHoldsWhatAPiBootsAndTheSameKernelBootsItToOnboarded() throws Exception {
        Path dir = tmp.getRoot().toPath();
        int factoryPort = Cli.freePort();
        int masaPort = Cli.freePort();
        int registrarPort = Cli.freePort();
        Pki pki = new Pki(dir.resolve("pki"));
        pki.init("Acme", "https://" + VirtualDevice.HOST + ":" + factoryPort, "127.0.0.1:" + masaPort, "Example Owner",
                "https://" + VirtualDevice.HOST + ":" + registrarPort);
        String p = pki.folder().toString();
        Path card = dir.resolve("sd.img");
        Cli.Run built = Cli.run("firmware", "image", "--board", "rpi4", "--keys", "soft", "--pki", p, "--out", card.toString(),
                "--serial", SERIAL, "--registrar", "https://" + VirtualDevice.HOST + ":" + registrarPort, "--shell-tty", "hvc0");
        assertEquals(built.output(), 0, built.code());
        built.output().lines().filter(l -> l.startsWith("root file system") || l.startsWith("assembled")
                || l.startsWith("disk image")).forEach(System.out::println);

        // the partition table: GPT, the FAT boot partition first, then p1, p2 and data (the last, to grow)
        List<String[]> parts = partitions(card);
        assertEquals(4, parts.size());
        String[] boot = parts.get(0);
        assertEquals(BOOT_TYPE, boot[2]);
        assertEquals(List.of("avocado-boot", "avocado-p1", "avocado-p2", "avocado-data"),
                parts.stream().map(x -> x[3]).toList());
        String fat = card + "@@" + Long.parseLong(boot[0]) * 512;
        Cli.Run fs = Cli.exec("minfo", "-i", fat, "::");
        assertEquals(fs.output(), 0, fs.code());
        assertTrue(fs.output(), fs.output().contains("disk type=\"FAT32   \""));

        // what the firmware reads: config.txt names files that are there, and the TPM overlay
        String config = cat(fat, "config.txt");
        for (String line : List.of("arm_64bit=1", "upstream_kernel=1", "enable_uart=1", "dtoverlay=tpm-slb9670")) {
            assertTrue(config, config.lines().anyMatch(line::equals));
        }
        String kernel = value(config, "(?m)^kernel=(\\S+)");
        String initrd = value(config, "(?m)^initramfs (\\S+)");
        List<String> files = list(fat, "::");
        for (String f : List.of("start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb", "cmdline.txt", kernel, initrd)) {
            assertTrue(f + " in " + files, files.contains(f));
        }
        assertTrue(list(fat, "::overlays").contains("tpm-slb9670.dtbo"));
        String cmdline = cat(fat, "cmdline.txt");
        assertTrue(cmdline, cmdline.contains("root=PARTLABEL=avocado-p1") && cmdline.contains("console=ttyS1,115200"));
        // the kernel and initrd a Pi loads are those the virtual machine boots below
        Path boots = card.resolveSibling("sd.img.boot");
        assertArrayEquals(Files.readAllBytes(boots.resolve("vmlinuz")), bytes(fat, kernel, dir));
        assertArrayEquals(Files.readAllBytes(boots.resolve("initrd.img")), bytes(fat, initrd, dir));

        // the overlay applies to Debian's device tree as the firmware applies it, and enables SPI0 with a TPM
        // at chip select 1 that Debian's kernel has a driver for (its alias is in partition one)
        Path base = dir.resolve("base.dtb");
        Files.write(base, bytes(fat, "bcm2711-rpi-4-b.dtb", dir));
        Path overlay = dir.resolve("tpm.dtbo");
        Files.write(overlay, bytes(fat, "overlays/tpm-slb9670.dtbo", dir));
        Path merged = dir.resolve("merged.dtb");
        Cli.Run applied = Cli.exec("fdtoverlay", "-i", base.toString(), "-o", merged.toString(), overlay.toString());
        assertEquals(applied.output(), 0, applied.code());
        assertEquals("okay", fdtget(merged, SPI0, "status"));
        String tpm = SPI0 + "/tpm@1";
        assertEquals("1", fdtget(merged, tpm, "reg"));
        List<String> compatible = List.of(fdtget(merged, tpm, "compatible").split(" "));
        assertTrue(compatible.toString(), compatible.contains("infineon,slb9670"));
        // and SPI0's pins are switched to it: GPIO 7 to 11 (CE1, CE0, MISO, MOSI, SCLK) in function ALT0
        String pins = fdtget(merged, SPI0, "pinctrl-0");
        Cli.Run groups = Cli.exec("fdtget", "-l", merged.toString(), "/soc/gpio@7e200000");
        String group = groups.output().lines().filter(g -> {
            Cli.Run h = exec("fdtget", "-d", "", merged.toString(), "/soc/gpio@7e200000/" + g, "phandle");
            return h.output().trim().equals(pins);
        }).findFirst().orElseThrow(() -> new AssertionError("no pin group has phandle " + pins + ": " + groups.output()));
        assertEquals("7 8 9 10 11", fdtget(merged, "/soc/gpio@7e200000/" + group, "brcm,pins"));
        assertEquals("4", fdtget(merged, "/soc/gpio@7e200000/" + group, "brcm,function"));
        Path p1Image = dir.resolve("p1.squashfs");
        Cli.Run cut = Cli.exec("dd", "if=" + card, "of=" + p1Image, "bs=512", "skip=" + parts.get(1)[0], "count=" + parts.get(1)[1],
                "status=none");
        assertEquals(cut.output(), 0, cut.code());
        String alias = unsquashCat(p1Image, "usr/lib/modules/" + kernelVersion(p1Image) + "/modules.alias");
        assertTrue("tpm_tis_spi aliases " + compatible, compatible.stream().anyMatch(c -> alias.lines().anyMatch(l ->
                l.startsWith("alias of:N*T*C" + c + " ") && l.endsWith(" tpm_tis_spi"))));
        assertTrue(alias.lines().anyMatch(l -> l.startsWith("alias of:N*T*Cbrcm,bcm2835-spi ") && l.endsWith(" spi_bcm2835")));
        // the SD card's host controller, in the initrd
        String driver = fdtget(merged, "/emmc2bus/mmc@7e340000", "compatible");
        assertTrue(driver, driver.contains("brcm,bcm2711-emmc2"));
        assertTrue(alias.lines().anyMatch(l -> l.startsWith("alias of:N*T*Cbrcm,bcm2711-emmc2 ") && l.endsWith(" sdhci_iproc")));
        Cli.Run initrdFiles = Cli.exec("sh", "-c", "zcat '" + boots.resolve("initrd.img") + "' | cpio -t --quiet");
        assertTrue(initrdFiles.output(), initrdFiles.output().contains("sdhci-iproc.ko"));

        // the card on qemu's arm64 board, larger than the image: it provisions, onboards, and data grows
        try (java.io.RandomAccessFile medium = new java.io.RandomAccessFile(card.toFile(), "rw")) {
            medium.setLength(1024L * 1024 * 1024);
        }
        Map<Integer, Integer> forwards = Map.of(factoryPort, factoryPort, registrarPort, registrarPort);
        try (Cli.Background factory = serve("factory provisioning service: https://", "factory", "serve", "--pki", p, "--open",
                "--bind", "127.0.0.1");
                Cli.Background masa = serve("MASA: https://", "masa", "serve", "--pki", p, "--ownership", "first-claim");
                Cli.Background registrar = serve("registrar: https://", "registrar", "serve", "--pki", p, "--approval", "auto",
                        "--no-dns-sd", "--bind", "127.0.0.1")) {
            long started = System.nanoTime();
            try (VirtualDevice vm = VirtualDevice.start(new VirtualDevice.Boot("arm64", card, dir.resolve("tpm"), forwards, null,
                    dir.resolve("boot1"), 1024))) {
                String onboarded = vm.awaitLine(0, l -> l.startsWith("[device] onboarded: LDevID"), 600_000);
                assertTrue(onboarded, onboarded.contains("serialNumber=" + SERIAL));
                System.out.printf("Raspberry Pi image on qemu virt: power-on to onboarded %.1f s%n", (System.nanoTime() - started) / 1e9);
                assertTrue(vm.console(), vm.console().contains("Started avocado.service"));
                int at = vm.mark();
                vm.type("device:partitions");
                String p1 = vm.awaitLine(at, l -> l.startsWith("p1 "), 60_000);
                assertTrue(p1, p1.contains("squashfs") && p1.contains("a write fails"));
                String data = vm.awaitLine(at, l -> l.startsWith("data "), 60_000);
                assertTrue(data, data.contains("ext4") && data.contains("a write succeeds"));
                Matcher size = Pattern.compile(", (\\d+) MiB\\)").matcher(data);
                assertTrue(data, size.find() && Integer.parseInt(size.group(1)) > 600); // 1 GiB less boot, p1 and p2
                assertTrue(vm.console(), vm.console().contains("growing /dev/vda4 to the end of /dev/vda"));
                vm.powerOff(180_000);
            }
        }
    }

    /** sfdisk's dump of the card: start sector, size, type, name of each partition. */
    private static List<String[]> partitions(Path card) throws Exception {
        Cli.Run dump = Cli.exec("sfdisk", "--dump", card.toString());
        assertEquals(dump.output(), 0, dump.code());
        assertTrue(dump.output(), dump.output().contains("label: gpt"));
        Pattern line = Pattern.compile("start=\\s*(\\d+), size=\\s*(\\d+), type=([0-9A-F-]+),.* name=\"([^\"]*)\"");
        List<String[]> parts = new ArrayList<>();
        for (String l : dump.output().lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                parts.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
            }
        }
        return parts;
    }

    private static List<String> list(String fat, String folder) throws Exception {
        Cli.Run ls = Cli.exec("mdir", "-b", "-i", fat, folder);
        assertEquals(ls.output(), 0, ls.code());
        return ls.output().lines().map(l -> l.substring(l.lastIndexOf('/') + 1)).toList();
    }

    private static String cat(String fat, String file) throws Exception {
        Cli.Run c = Cli.exec("mtype", "-i", fat, "::" + file);
        assertEquals(c.output(), 0, c.code());
        return c.output();
    }

    private static byte[] bytes(String fat, String file, Path dir) throws Exception {
        Path out = Files.createTempFile(dir, "fat", ".bin");
        Cli.Run c = Cli.exec("mcopy", "-n", "-i", fat, "::" + file, out.toString());
        assertEquals(c.output(), 0, c.code());
        return Files.readAllBytes(out);
    }

    private static String fdtget(Path dtb, String node, String property) throws Exception {
        Cli.Run r = Cli.exec("fdtget", dtb.toString(), node, property);
        assertEquals(node + " " + property + ": " + r.output(), 0, r.code());
        return r.output().trim();
    }

    /** The one kernel version folder under /usr/lib/modules of partition one. */
    private static String kernelVersion(Path p1) throws Exception {
        Cli.Run ls = Cli.exec("unsquashfs", "-l", "-d", "", p1.toString(), "usr/lib/modules");
        assertEquals(ls.output(), 0, ls.code());
        List<String> versions = ls.output().lines().filter(l -> l.matches("/?usr/lib/modules/[^/]+"))
                .map(l -> l.substring(l.lastIndexOf('/') + 1)).toList();
        assertEquals(ls.output(), 1, versions.size());
        return versions.get(0);
    }

    private static String unsquashCat(Path p1, String file) throws Exception {
        Cli.Run x = Cli.exec("unsquashfs", "-cat", p1.toString(), file);
        assertEquals(file, 0, x.code());
        return x.output();
    }

    private static Cli.Run exec(String... command) {
        try {
            return Cli.exec(command);
        } catch (Exception e) {
            throw new AssertionError(String.join(" ", command) + ": " + e, e);
        }
    }

    private static String value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(regex + " in " + text, m.find());
        return m.group(1);
    }

    private static Cli.Background serve(String ready, String... args) throws Exception {
        Cli.Background b = Cli.start(args);
        b.awaitLine(l -> l.startsWith(ready), 60_000);
        return b;
    }
}
