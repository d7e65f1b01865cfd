package dev.avocado.tools;

import static dev.avocado.tools.GuestPki.serve;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.server.Pki;
import dev.avocado.tpm.testing.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The system test: the disk image that {@code firmware image} builds, booted in qemu (software
 * emulation) with swtpm as its TPM. The factory, the MASA and the registrar run on this machine's
 * loopback; the guest reaches the factory and the registrar only, at 10.0.2.100, through qemu's
 * restricted user network. Everything the test asserts about the guest comes from its serial ports:
 * the kernel's console and the device's Gogo shell (a demo image's, on ttyS1); one JVM per boot, the
 * device's own, started by systemd.
 */
public class VirtualDeviceTest {

    private static final String SERIAL = "AVO-VM000001";
    private static final long BOOT_MILLIS = 300_000;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theImageBootsOnboardsPowerCyclesAndProvisionsAgainAfterAWipe() throws Exception {
        Path dir = tmp.getRoot().toPath();
        GuestPki guest = new GuestPki(dir.resolve("pki"));
        Pki pki = guest.pki;
        String p = guest.folder();
        Path disk = dir.resolve("device.img");
        Cli.Run built = Cli.run("firmware", "image", "--pki", p, "--out", disk.toString(), "--serial", SERIAL,
                "--registrar", guest.registrarUrl(), "--ssid", "avocado-vm",
                "--radius-server", "radius.example.net", "--shell-tty", "ttyS1");
        assertEquals(built.output(), 0, built.code());
        assertTrue(built.output(), built.output().contains("disk image: " + disk));
        built.output().lines().filter(l -> l.startsWith("root file system") || l.startsWith("assembled")
                || l.startsWith("disk image")).forEach(System.out::println);
        // flashed onto a medium larger than the image: the data partition grows to it at first boot
        try (java.io.RandomAccessFile medium = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            medium.setLength(1024L * 1024 * 1024);
        }
        Path tpm = dir.resolve("tpm");
        Map<Integer, Integer> forwards = guest.forwards();
        // a factory whose TLS certificate expired a year ago: the first one the device meets
        Path stale = staleFactory(pki, dir.resolve("pki-stale"));
        Cli.Background expired = serve("factory provisioning service: https://", "factory", "serve", "--pki", stale.toString(),
                "--open", "--bind", "127.0.0.1");
        Cli.Background factory = null;
        try (Cli.Background masa = serve("MASA: https://", "masa", "serve", "--pki", p, "--ownership", "first-claim");
                Cli.Background registrar = serve("registrar: https://", "registrar", "serve", "--pki", p, "--approval", "auto",
                        "--no-dns-sd", "--bind", "127.0.0.1")) {
            String idevidKey;
            // first power-on, with the board's clock years behind (no RTC, no time server): systemd starts the
            // device, which refuses the expired factory certificate, then provisions through /dev/tpmrm0 and onboards
            long started = System.nanoTime();
            try (VirtualDevice vm = VirtualDevice.start(new VirtualDevice.Boot(disk, tpm, forwards, "2021-01-01",
                    dir.resolve("boot1"), 1024))) {
                String refused = vm.awaitLine(0, l -> l.startsWith("[device] provisioning: O.3 failed"), BOOT_MILLIS);
                assertTrue(refused, refused.contains("expired on"));
                expired.close();
                factory = serve("factory provisioning service: https://", "factory", "serve", "--pki", p, "--open",
                        "--bind", "127.0.0.1");
                vm.awaitLine(0, l -> l.startsWith("[device] onboarded: LDevID"), BOOT_MILLIS);
                System.out.printf("first power-on to onboarded: %.1f s (with the expired factory first)%n",
                        (System.nanoTime() - started) / 1e9);
                int clockAt = vm.mark();
                vm.type("device:clock");
                String system = vm.awaitLine(clockAt, l -> l.startsWith("system clock:"), 30_000);
                // qemu's clock started at 2021 and systemd moved it to its own build time, months behind: the
                // device moved it forward to its floor (a disk image's firmware says so), for the system's programs
                String set = vm.awaitConsole("clock: the system clock (", 30_000);
                assertTrue(set, set.contains("is set forward to the floor") && set.contains("from the firmware's build time"));
                assertFalse(system, system.matches(".*behind the floor by \\d+h.*"));
                String floor = vm.awaitLine(clockAt, l -> l.startsWith("floor:"), 30_000);
                assertTrue(floor, floor.contains("the created-on of the voucher from"));
                assertTrue(vm.console(), vm.console().contains("Started avocado.service"));
                String shell = vm.shell();
                assertTrue(shell, shell.contains("[device] provisioning: O.1 done: key idevid at tpm:0x81020000"));
                assertTrue(shell, shell.contains("via device:/dev/tpmrm0"));
                List<Integer> commands = vm.tpmCommands();
                System.out.println("TPM commands from power-on to onboarded, through the kernel's resource manager: "
                        + commands.size() + ", of them " + commands.stream().filter(c -> c == dev.avocado.tpm.TpmCommandLog.SIGN)
                        .count() + " TPM2_Sign; by command code: " + dev.avocado.tpm.TpmCommandLog.byCode(commands));
                // the LDevID key made in the TPM too, through tpm2-pkcs11 sharing /dev/tpmrm0 with the key service
                assertTrue(shell, shell.contains("[device] onboarding: D.1 done: LDevID key (EC_P256, as csrattrs asks) at "
                        + "pkcs11:token=avocado;object=ldevid;type=private"));
                assertTrue(shell, shell.contains("[device] onboarding: E.1 done"));
                // the profile goes to the wpa_supplicant that uses it, on the machine's (simulated) Wi-Fi;
                // whether it took the profile shows at power-off (below)
                vm.awaitConsole("Started avocado-wifi.service", 60_000);
                vm.awaitConsole("Successfully initialized wpa_supplicant", 60_000);
                // wlan0 is down until the supplicant, having read the profile, drives it
                vm.awaitConsole("wlan0: Link UP", 60_000);

                int at = vm.mark();
                vm.type("device:partitions");
                String p1 = vm.awaitLine(at, l -> l.startsWith("p1 "), 30_000);
                assertTrue(p1, p1.contains("squashfs") && p1.contains("mounted read-only") && p1.contains("a write fails"));
                String data = vm.awaitLine(at, l -> l.startsWith("data "), 30_000);
                assertTrue(data, data.contains("ext4") && data.contains("mounted read-write") && data.contains("a write succeeds"));
                java.util.regex.Matcher size = java.util.regex.Pattern.compile(", (\\d+) MiB\\)").matcher(data);
                assertTrue(data, size.find() && Integer.parseInt(size.group(1)) > 700); // 1 GiB less p1 and p2
                String p2 = vm.awaitLine(at, l -> l.startsWith("p2 "), 30_000);
                assertTrue(p2, p2.contains("mounted read-only") && p2.contains("a write fails"));

                at = vm.mark();
                vm.type("device:memory");
                System.out.println("guest " + vm.awaitLine(at, l -> l.startsWith("VmRSS:"), 30_000)
                        + ", " + vm.awaitLine(at, l -> l.startsWith("VmHWM:"), 30_000));

                at = vm.mark();
                vm.type("idevid:show");
                idevidKey = vm.awaitLine(at, l -> l.contains("DPP:V:2;I:" + SERIAL), 30_000);
                vm.powerOff(120_000);
                // wpa_supplicant ran with the E.1 profile on wlan0 until the power-off: a profile it cannot
                // parse, or an interface it cannot drive, would have ended it at once
                String console = vm.console();
                assertTrue(console, console.matches("(?s).*wpa_supplicant\\[\\d+\\]: wlan0: CTRL-EVENT-TERMINATING.*"));
                assertFalse(console, console.contains("Failed to read or parse configuration"));
                assertFalse(console, console.contains("avocado-wifi.service: Main process exited, code=exited"));
                assertFalse(console, console.contains("avocado-wifi.service: Failed"));
            }
            // after power-off the TPM's state holds the IDevID key: the same key as the manufacturer's record
            String dpp = idevidKey.substring(idevidKey.indexOf("K:") + 2, idevidKey.indexOf(";;"));
            assertEquals(dpp, Base64.getEncoder().encodeToString(idevidPublicKey(tpm, dir)));

            // second power-on: the same disk comes up onboarded without asking the factory again
            long again = System.nanoTime();
            try (VirtualDevice vm = VirtualDevice.start(new VirtualDevice.Boot(disk, tpm, forwards, null, dir.resolve("boot2"), 1024))) {
                String onboarded = vm.awaitLine(0, l -> l.startsWith("[device] onboarded:"), BOOT_MILLIS);
                assertTrue(onboarded, onboarded.contains("IDevID serial " + SERIAL) && onboarded.contains("LDevID"));
                System.out.printf("second power-on to onboarded: %.1f s%n", (System.nanoTime() - again) / 1e9);
                String second = vm.shell();
                assertFalse(second, second.contains("[device] provisioning:"));
                assertFalse(second, second.contains("[device] onboarding: C.0"));

                // a wipe from the shell, and the device provisions and onboards again (a new key, a new IDevID)
                assertEquals(0, Cli.run("factory", "revoke", "--pki", p, SERIAL).code());
                int at = vm.mark();
                vm.type("device:wipe");
                vm.awaitLine(at, l -> l.startsWith("[device] provisioning: O.8 done"), BOOT_MILLIS);
                vm.awaitLine(at, l -> l.startsWith("[device] onboarded: LDevID"), BOOT_MILLIS);
                vm.powerOff(120_000);
            }
            Cli.Run devices = Cli.run("factory", "devices", "--pki", p);
            assertTrue(devices.output(), devices.output().contains(SERIAL));
        } finally {
            expired.close();
            if (factory != null) {
                factory.close();
            }
        }
    }

    /** A copy of the PKI whose factory TLS certificate (same root, same name) expired a year ago. */
    private static Path staleFactory(Pki pki, Path copy) throws Exception {
        Files.createDirectories(copy.resolve(Pki.MANUFACTURER));
        try (var files = Files.list(pki.folder())) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        try (var files = Files.list(pki.folder().resolve(Pki.MANUFACTURER))) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, copy.resolve(Pki.MANUFACTURER).resolve(f.getFileName()));
                }
            }
        }
        Pki.Credential root = pki.load(Pki.MANUFACTURER, Pki.ROOT);
        Pki staleCopy = new Pki(copy);
        staleCopy.save(Pki.MANUFACTURER, Pki.FACTORY_TLS, Pki.tls(pki.manufacturer(), VirtualDevice.HOST, root.certificate(),
                root.key(), java.time.Instant.now().minus(java.time.Duration.ofDays(6 * 365)),
                org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth));
        return copy;
    }

    /** tpm2_readpublic, against the swtpm state the guest left, of the IDevID handle: its SubjectPublicKeyInfo. */
    private static byte[] idevidPublicKey(Path tpmState, Path dir) throws Exception {
        try (Swtpm swtpm = Swtpm.on(tpmState)) {
            Path pem = dir.resolve("idevid-tpm.pem");
            swtpm.tools("tpm2_readpublic", "-c", "0x81020000", "-f", "pem", "-o", pem.toString());
            String text = Files.readString(pem);
            return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        }
    }
}
