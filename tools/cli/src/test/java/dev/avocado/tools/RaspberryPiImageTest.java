package dev.avocado.tools;

import static dev.avocado.tools.GuestPki.serve;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

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
 * applied by libfdt (fdtoverlay; the firmware applies overlays with its own code), read with fdtget,
 * and the kernel's module aliases for the nodes the overlay and the initrd need (unsquashfs on
 * partition one). Then the same card, with the kernel and
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
    private static final String GPIO = "/soc/gpio@7e200000";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void arm64() {
        assumeTrue("the arm64 images are checked by tools/test-arm64 (-Davocado.arm64=true)",
                Boolean.getBoolean("avocado.arm64"));
    }

    @Test
    public void theCardHoldsWhatAPiBootsAndTheSameKernelBootsItToOnboarded() throws Exception {
        Path dir = tmp.getRoot().toPath();
        GuestPki guest = new GuestPki(dir.resolve("pki"));
        String p = guest.folder();
        Path card = dir.resolve("sd.img");
        // a cold arm64 root file system takes minutes: its packages' scripts run under qemu-user
        Cli.Run built = Cli.start("firmware", "image", "--board", "rpi4", "--keys", "soft", "--pki", p, "--out", card.toString(),
                "--serial", SERIAL, "--registrar", guest.registrarUrl(), "--shell-tty", "hvc0").await(1200);
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
        for (String line : List.of("arm_64bit=1", "upstream_kernel=1", "enable_uart=1", "dtoverlay=tpm-slb9670",
                "initramfs initrd.img followkernel")) {
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
        // and SPI0's pins are switched to it: MISO, MOSI, SCLK (GPIO 9 to 11) in ALT0, the chip selects
        // CE0 and CE1 (GPIO 8 and 7) outputs driven as GPIOs (active low) of the GPIO controller
        List<String> pins = List.of(fdtget(merged, SPI0, "pinctrl-0").split(" "));
        assertEquals(pins.toString(), 2, pins.size());
        assertEquals("9 10 11 4", pinGroup(merged, pins.get(0)));
        assertEquals("8 7 1", pinGroup(merged, pins.get(1)));
        String gpio = fdtget(merged, GPIO, "phandle");
        assertEquals(gpio + " 8 1 " + gpio + " 7 1", fdtget(merged, SPI0, "cs-gpios"));
        Path p1Image = dir.resolve("p1.squashfs");
        Cli.Run cut = Cli.exec("dd", "if=" + card, "of=" + p1Image, "bs=512", "skip=" + parts.get(1)[0],
                "count=" + parts.get(1)[1], "status=none");
        assertEquals(cut.output(), 0, cut.code());
        String alias = unsquashCat(p1Image, "usr/lib/modules/" + kernelVersion(p1Image) + "/modules.alias");
        assertTrue("tpm_tis_spi aliases " + compatible, compatible.stream().anyMatch(c -> alias.lines().anyMatch(l ->
                l.startsWith("alias of:N*T*C" + c + " ") && l.endsWith(" tpm_tis_spi"))));
        String spi = fdtget(merged, SPI0, "compatible");
        assertTrue(spi, alias.lines().anyMatch(l -> l.startsWith("alias of:N*T*C" + spi + " ") && l.endsWith(" spi_bcm2835")));
        // the SD card's host controller and its two regulators, in the modules the initrd loads
        String host = fdtget(merged, "/emmc2bus/mmc@7e340000", "compatible");
        assertTrue(host, alias.lines().anyMatch(l -> l.startsWith("alias of:N*T*C" + host + " ") && l.endsWith(" sdhci_iproc")));
        Cli.Run loads = Cli.exec("sh", "-c", "zcat '" + boots.resolve("initrd.img") + "' | cpio -i --to-stdout --quiet modules");
        assertEquals(loads.output(), 0, loads.code());
        for (String module : List.of("/sdhci-iproc.ko", "/regulator/fixed.ko", "/regulator/gpio-regulator.ko")) {
            assertTrue(module + " in " + loads.output(), loads.output().lines().anyMatch(l -> l.endsWith(module)));
        }

        // the card on qemu's arm64 board, larger than the image: it provisions, onboards, and data grows
        try (java.io.RandomAccessFile medium = new java.io.RandomAccessFile(card.toFile(), "rw")) {
            medium.setLength(1024L * 1024 * 1024);
        }
        Map<Integer, Integer> forwards = guest.forwards();
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
                System.out.printf("Raspberry Pi image on qemu virt: power-on to onboarded %.1f s%n",
                        (System.nanoTime() - started) / 1e9);
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

    /** The pins and function of the pin group of the GPIO controller with this phandle: "PINS... FUNCTION". */
    private static String pinGroup(Path dtb, String phandle) throws Exception {
        Cli.Run groups = Cli.exec("fdtget", "-l", dtb.toString(), GPIO);
        String group = groups.output().lines()
                .filter(g -> exec("fdtget", "-d", "", dtb.toString(), GPIO + "/" + g, "phandle").output().trim().equals(phandle))
                .findFirst().orElseThrow(() -> new AssertionError("no pin group has phandle " + phandle + ": "
                        + groups.output()));
        return fdtget(dtb, GPIO + "/" + group, "brcm,pins") + " " + fdtget(dtb, GPIO + "/" + group, "brcm,function");
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
}
