package dev.avocado.tools;

import dev.avocado.server.Pki;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Device images end to end: pki init, firmware build, and the image booted by its own start script in
 * a separate JVM, as on a device.
 */
public class DeviceImageTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Pki pki;

    /** What a device process printed and how it ended. */
    record Run(int code, String output) {
    }

    @BeforeClass
    public static void pki() throws Exception {
        Path dir = tmp.newFolder("pki").toPath();
        assertEquals(0, AvocadoCli.run("pki", "init", "--out", dir.toString(), "--manufacturer", "Test Maker",
                "--provisioning-url", "https://127.0.0.1:8443"));
        pki = new Pki(dir);
    }

    private static DeviceImage image(String name) throws Exception {
        return image(name, null);
    }

    private static DeviceImage image(String name, Path mpr) throws Exception {
        return new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve(name), mpr, false);
    }

    private static Run boot(DeviceImage image, String... args) throws Exception {
        ProcessBuilder pb = DeviceProcess.start(image, List.of(args)).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue("device process ended", p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    public void bootedImageShowsItsMprAndStateAndNeverWritesToP1() throws Exception {
        DeviceImage image = image("good");
        Map<String, String> before = tree(image.p1());

        // no serial configured and no factory: the device says what stops it, the shell still works
        Run run = boot(image, "--batch", "--exec", "mpr:show; device:state");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("[launcher] p1 verified against its signed manifest"));
        assertTrue(run.output(), run.output().contains("[device] unprovisioned: no IDevID yet; provisioning starts; "
                + "keys: software keys in " + image.data().resolve("keys") + " (NOT secure storage)"));
        assertTrue(run.output(), run.output().contains("[device] failed: IDevID provisioning failed: no serial number "
                + "configured (serial of dev.avocado.idevid; firmware build --serial sets it)"));
        assertTrue(run.output(), run.output().contains("Manufacturer:      CN=Test Maker Root CA,O=Test Maker"));
        assertTrue(run.output(), run.output().contains("Provisioning:      https://127.0.0.1:8443"));
        assertTrue(run.output(), run.output().contains("state:   failed"));

        Run settled = boot(image, "--batch");
        assertEquals(settled.output(), 1, settled.code());
        assertTrue(settled.output(), settled.output().contains("avocado: device failed: failed: IDevID provisioning failed"));

        // with a serial, and the provisioning service down, the device keeps trying: --until times out
        DeviceImage waiting = new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve("waiting"), null, false, "soft", null, null,
                        MprAnchoring.Content.CERTIFICATE, "SN-WAIT");
        Run timeout = boot(waiting, "--batch", "--until", "provisioned", "--timeout", "4");
        assertEquals(timeout.output(), 3, timeout.code());
        // the last step is O.3 failed, or O.3 started again when the timeout falls on a retry
        assertTrue(timeout.output(), timeout.output().matches("(?s).*timed out after 4 s waiting for state provisioned; "
                + "device is provisioning: IDevID provisioner running; keys: [^\n]*; last step O\\.3 .*"));
        assertTrue(timeout.output(), timeout.output().contains("[device] provisioning: O.3 failed: the provisioning service "
                + "at https://127.0.0.1:8443/.well-known/est/simpleenroll cannot be reached"));

        assertEquals("p1 is never written", before, tree(image.p1()));
        assertTrue("logs go to the data partition", Files.size(image.data().resolve("logs/avocado.log")) > 0);
        assertTrue("the Felix cache is on the data partition", Files.isDirectory(image.cache()));
    }

    @Test
    public void anyChangedByteOfP1IsRefusedNamingTheFile() throws Exception {
        String[] files = {"bundles/avocado-boot.jar", "mpr/mpr.pem", "bundles.list", "firmware-signer.pem",
            "bundles/org.apache.felix.scr.jar"};
        for (String file : files) {
            DeviceImage image = image("tampered-" + file.replace('/', '-'));
            Path target = image.p1().resolve(file);
            flipOneByte(target);
            Run run = boot(image, "--batch");
            assertEquals(run.output(), 1, run.code());
            assertTrue(run.output(), run.output().contains("avocado: refusing to boot: p1/" + file
                    + " changed after the firmware was built"));
            assertFalse("nothing booted", run.output().contains("[device]"));
        }
        DeviceImage added = image("added-file");
        writable(added.p1().resolve("bundles"));
        Files.writeString(added.p1().resolve("bundles/extra.jar"), "not in the manifest");
        Run run = boot(added, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("p1/bundles/extra.jar was added after the firmware was built"));

        DeviceImage resigned = image("manifest-edited");
        Path manifest = resigned.p1().resolve("MANIFEST.sha256");
        writable(manifest);
        String lines = Files.readString(manifest);
        String edited = (lines.charAt(0) == '0' ? "1" : "0") + lines.substring(1); // one hex digit of the first hash
        assertNotEquals(lines, edited);
        Files.writeString(manifest, edited);
        run = boot(resigned, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("avocado: refusing to boot: p1/MANIFEST.sha256 does not match its "
                + "signature MANIFEST.sha256.sig by the firmware signer: the manifest was changed after the firmware was built"));
    }

    /**
     * The firmware signer role, not only a chain: a CA certificate the root issued with codeSigning signs
     * a p1 whose hashes and signature are all in order, and the launcher still refuses it.
     */
    @Test
    public void aCaCertificateIsNoFirmwareSignerEvenWithCodeSigning() throws Exception {
        DeviceImage image = image("ca-signer");
        Pki.Credential root = pki.load(Pki.MANUFACTURER, Pki.ROOT);
        KeyPair caKey = KeyPairs.ecP256();
        X509Certificate ca = dev.avocado.protocol.x509.CertificateBuilder.subject("O=Test Maker,CN=Test Maker Line CA",
                caKey.getPublic()).issuer(root.certificate(), root.key()).validity(Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(1))).ca(0)
                .keyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign | org.bouncycastle.asn1.x509.KeyUsage.digitalSignature)
                .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_codeSigning).build();
        writable(image.p1());
        Path signer = image.p1().resolve("firmware-signer.pem");
        writable(signer);
        Files.writeString(signer, Pem.encode(ca));
        dev.avocado.launcher.FirmwareManifest.write(image.p1(), caKey.getPrivate());
        Run run = boot(image, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("avocado: refusing to boot: p1/firmware-signer.pem (CN=Test Maker Line CA,"
                + "O=Test Maker) is a CA certificate, not a firmware signer"));
        assertFalse("nothing booted", run.output().contains("[device]"));
    }

    /**
     * Attack 4, trust from the data partition: an offline write points the MPR at a root of the
     * attacker's, or the TPM key service at a TPM of the attacker's (swtpm over TCP); the next boot
     * refuses, naming the rule. Only the firmware (and the start script's command line) sets them.
     */
    @Test
    public void securitySettingsWrittenToTheDataPartitionAreRefused() throws Exception {
        for (String[] attack : new String[][] {
            {"dev.avocado.mpr.cfg", "path=/tmp/attacker-mpr.pem\n"},
            {"dev.avocado.keys.tpm.cfg", "tcti=swtpm:host=203.0.113.7,port=2321\n"},
            {"dev.avocado.keys.config", "keyService.target=\"(avocado.keys.type=soft)\"\n"},
            {"dev.avocado.p2.cfg", "bundles=/tmp/attacker-bundles\n"},
        }) {
            DeviceImage image = image("data-" + attack[0]);
            Files.createDirectories(image.config());
            Files.writeString(image.config().resolve(attack[0]), attack[1]);
            Run run = boot(image, "--batch");
            assertEquals(run.output(), 1, run.code());
            assertTrue(run.output(), run.output().contains("avocado: refusing to boot: data/config/" + attack[0] + ": "));
            assertTrue(run.output(), run.output().contains("is a security setting of the firmware"));
            assertFalse("nothing booted", run.output().contains("[device]"));
        }
        // the firmware's own settings: written by the launcher from p1 at each boot, not kept on data/
        DeviceImage image = image("firmware-config");
        Run run = boot(image, "--batch", "--exec", "device:state");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("keys: software keys in "));
        assertTrue(Files.readString(image.data().resolve("firmware-config/dev.avocado.keys.cfg"))
                .contains("keyService.target=(avocado.keys.type=soft)"));
        assertTrue(Files.readString(image.p1().resolve("firmware.properties")).contains("avocado.keys=soft"));
    }

    /**
     * Attack 4, code from the data partition: a bundle written into data/deploy while the device is off.
     * A production image never reads the folder; a demo image (hot redeploy) takes only builds signed
     * by the firmware signer and sets the others aside, saying why. The bundle never runs.
     */
    @Test
    public void aJarWrittenToTheDeployFolderWhileOffNeverRuns() throws Exception {
        DeviceImage production = image("deploy-production");
        evilBundle(production.deploy().resolve("evil.jar"));
        Run run = boot(production, "--batch", "--exec", "lb -s");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("[launcher] hot redeploy: off"));
        assertFalse(run.output(), run.output().contains("evil.bundle"));

        DeviceImage demo = new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .hotRedeploy(true).build(tmp.getRoot().toPath().resolve("deploy-demo"), null, false);
        assertTrue(Files.readString(demo.p1().resolve("firmware.properties")).contains("avocado.hotRedeploy=true"));
        Path unsigned = demo.deploy().resolve("evil.jar");
        evilBundle(unsigned);
        Path forged = demo.deploy().resolve("forged.jar");
        evilBundle(forged);
        // a bundle under another name: FileInstall would install it as it is
        evilBundle(demo.deploy().resolve("notes.txt"));
        // signed, but with the attacker's own key
        Files.write(forged.resolveSibling("forged.jar.sig"), dev.avocado.api.firmware.FirmwareSignature.sign(
                Files.readAllBytes(forged), dev.avocado.protocol.x509.KeyPairs.ecP256().getPrivate()));
        run = boot(demo, "--batch", "--exec", "lb -s");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("[launcher] hot redeploy: ON"));
        assertTrue(run.output(), run.output().contains("[launcher] refused data/deploy/evil.jar: evil.jar has no signature "
                + "evil.jar.sig by the firmware signer"));
        assertTrue(run.output(), run.output().contains("[launcher] refused data/deploy/forged.jar: forged.jar is not signed "
                + "by the firmware signer"));
        assertTrue(run.output(), run.output().contains("[launcher] refused data/deploy/notes.txt: only NAME.jar with its "
                + "signature NAME.jar.sig is taken"));
        assertFalse(run.output(), run.output().contains("evil.bundle"));
        assertFalse(Files.exists(unsigned));
        assertTrue(Files.exists(demo.data().resolve("refused/evil.jar")));
    }

    /** A bundle that would run if installed: only a manifest. */
    private static void evilBundle(Path jar) throws IOException {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "evil.bundle");
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        Files.createDirectories(jar.getParent());
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
    }

    /**
     * Attack 4, partition two: an offline write adds a bundle to p2 or replaces one; the next boot
     * refuses, naming the file, and nothing of the image runs.
     */
    @Test
    public void aBundleWrittenToPartitionTwoWhileOffIsRefused() throws Exception {
        DeviceImage added = image("p2-added");
        Files.writeString(added.p2().resolve("bundles/evil.jar"), "code that would run with the IDevID key");
        Run run = boot(added, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("avocado: refusing to boot: p2/bundles/evil.jar was added after the "
                + "firmware was built"));
        assertFalse("nothing booted", run.output().contains("[device]"));

        DeviceImage replaced = image("p2-replaced");
        Path jar;
        try (java.util.stream.Stream<Path> jars = Files.list(replaced.p2().resolve("bundles"))) {
            jar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        flipOneByte(jar);
        run = boot(replaced, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("avocado: refusing to boot: p2/bundles/" + jar.getFileName()
                + " changed after the firmware was built"));
    }

    @Test
    public void independentToolsAcceptTheSignedManifest() throws Exception {
        DeviceImage image = image("checked");
        Path p1 = image.p1();
        assertEquals("sha256sum -c", 0, exec(p1, "sha256sum", "--quiet", "-c", "MANIFEST.sha256").code());
        Path pub = tmp.newFile("firmware-signer.pub").toPath();
        Run key = exec(p1, "openssl", "x509", "-in", "firmware-signer.pem", "-pubkey", "-noout");
        Files.writeString(pub, key.output());
        Run sig = exec(p1, "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", "MANIFEST.sha256.sig",
                "MANIFEST.sha256");
        assertEquals(sig.output(), 0, sig.code());
        assertTrue(sig.output(), sig.output().contains("Verified OK"));
        Run chain = exec(p1, "openssl", "verify", "-CAfile", "mpr/mpr.pem", "-purpose", "any", "firmware-signer.pem");
        assertEquals(chain.output(), 0, chain.code());
    }

    @Test
    public void expiredMprLeavesTheDeviceFailedWithItsReason() throws Exception {
        Pki.Credential root = pki.load(Pki.MANUFACTURER, Pki.ROOT);
        KeyPair rootKey = new KeyPair(root.certificate().getPublicKey(), root.key());
        Instant now = Instant.now();
        X509Certificate expired = MprProfile.issue(rootKey, "O=Test Maker,CN=Test Maker Root CA", "https://127.0.0.1:8443",
                now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(35)));
        Path file = tmp.newFile("expired-mpr.pem").toPath();
        Files.writeString(file, Pem.encode(expired));
        DeviceImage image = image("expired-mpr", file);

        Run run = boot(image, "--batch");
        assertEquals(run.output(), 1, run.code());
        assertTrue(run.output(), run.output().contains("[device] failed: MPR " + image.p1().resolve("mpr/mpr.pem")
                + ": certificate 'CN=Test Maker Root CA,O=Test Maker' expired on "));

        Run shell = boot(image, "--exec", "device:state");
        assertEquals(shell.output(), 0, shell.code());
        assertTrue(shell.output(), shell.output().contains("state:   failed"));
        assertTrue(shell.output(), shell.output().contains("reason:  MPR "));
    }

    @Test
    public void wipeRemovesIdentityAndKeysAndRebootsIntoProvisioning() throws Exception {
        DeviceImage image = image("provisioned");
        Pki.Credential root = pki.load(Pki.MANUFACTURER, Pki.ROOT);
        KeyPair device = KeyPairs.ecP256();
        X509Certificate idevid = IdevidProfile.issue(root.certificate(), root.key(), null,
                IdevidProfile.subject("Test Maker", "Sensor", "SN-1"), device.getPublic(), "masa.test", Instant.now());
        Files.createDirectories(image.data().resolve("keys"));
        Files.createDirectories(image.data().resolve("identity"));
        Files.writeString(image.data().resolve("keys/idevid.p8"), Pem.encode(device.getPrivate()));
        Files.writeString(image.data().resolve("identity/idevid.pem"), Pem.encode(idevid));
        Files.writeString(image.data().resolve("identity/idevid.recorded"), "2026-01-01T00:00:00Z\n"); // O.d done

        Run provisioned = boot(image, "--batch", "--until", "provisioned");
        assertEquals(provisioned.output(), 0, provisioned.code());
        assertTrue(provisioned.output(), provisioned.output().contains(
                "[device] provisioned: IDevID serial SN-1 (MASA masa.test); partition two active (1 bundle)"));

        // onboarding keeps looking for a registrar: the commands run once the device is provisioned
        Run run = boot(image, "--until", "provisioned", "--exec", "device:identity; device:wipe");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("IDevID: serialNumber=SN-1,CN=Sensor,O=Test Maker"));
        assertTrue(run.output(), run.output().contains("wiped: LDevID, IDevID and their keys removed; rebooting"));
        assertTrue(run.output(), run.output().contains("[launcher] p1 verified against its signed manifest; rebooting"));
        String afterReboot = run.output().substring(run.output().indexOf("; rebooting /"));
        assertTrue(run.output(), afterReboot.contains("[device] unprovisioned: no IDevID yet; provisioning starts"));
        assertFalse(Files.exists(image.data().resolve("identity/idevid.pem")));
        assertFalse(Files.exists(image.data().resolve("keys/idevid.p8")));
    }

    @Test
    public void badInputIsAClearErrorAndANonZeroExit() throws Exception {
        DeviceImage image = image("for-bad-input");
        Run unknown = boot(image, "--exec", "mpr:show; no:such");
        assertEquals(unknown.output(), 4, unknown.code());
        assertTrue(unknown.output(), unknown.output().contains("avocado: --exec: 'no:such' failed: Command not found: no:such"));

        Run state = boot(image, "--batch", "--until", "bogus");
        assertEquals(state.output(), 2, state.code());
        assertTrue(state.output(), state.output().contains("unknown device state 'bogus'"));

        Path notAnImage = tmp.newFolder("not-an-image").toPath();
        Captured c = capture(() -> AvocadoCli.run("device", "boot", "--image", notAnImage.toString(), "--batch"));
        assertEquals(1, c.code());
        assertTrue(c.err(), c.err().contains("is not a device image: no p1/MANIFEST.sha256"));

        c = capture(() -> AvocadoCli.run("firmware", "build", "--pki", pki.folder().toString(), "--out",
                image.root().toString()));
        assertEquals(1, c.code());
        assertTrue(c.err(), c.err().contains("exists and is not empty (use --force to replace it)"));

        c = capture(() -> AvocadoCli.run("firmware", "build", "--pki", notAnImage.toString(), "--out",
                tmp.getRoot().toPath().resolve("x").toString()));
        assertEquals(1, c.code());
        assertTrue(c.err(), c.err().contains("is not a PKI made by 'pki init'"));
    }

    // --- helpers

    record Captured(int code, String out, String err) {
    }

    interface CliCall {
        int call() throws Exception;
    }

    private static Captured capture(CliCall call) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = call.call();
            return new Captured(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Run exec(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void flipOneByte(Path file) throws IOException {
        writable(file);
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    private static void writable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** Every file of a folder with its SHA-256 and modification time. */
    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String hash = Files.isRegularFile(p)
                        ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                        : "dir";
                result.put(root.relativize(p).toString(), hash + " " + Files.getLastModifiedTime(p));
            }
        }
        return result;
    }
}
