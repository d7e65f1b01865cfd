package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.server.Pki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * avocado-registrar.deb on a real system: the device image's Debian in a virtual machine (its own kernel
 * and systemd). apt installs the package, the service gets its PKI and console password, systemctl starts
 * it under its hardened unit; the host then reaches the registrar's TLS port through qemu and signs in to
 * its console, which writes the session to the service's database.
 */
public class PackageInstallIT {

    private static final String PASSWORD = "packaged-console-password";
    private static final int GUEST_PORT = 8445;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aptInstallThenSystemctlStartServesTheRegistrar() throws Exception {
        Path deb = Path.of("target/avocado-registrar.deb").toAbsolutePath();
        assertTrue(deb + " is built by this module's package phase", Files.isRegularFile(deb));
        Path dir = tmp.getRoot().toPath();
        Pki pki = new Pki(dir.resolve("pki"));
        pki.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:8444", "Example Owner", "https://127.0.0.1:" + GUEST_PORT);
        Path disk = dir.resolve("device.img");
        Cli.Run built = Cli.run("firmware", "image", "--pki", pki.folder().toString(), "--out", disk.toString(), "--serial",
                "AVO-PKG00001", "--registrar", "https://127.0.0.1:" + GUEST_PORT);
        assertEquals(built.output(), 0, built.code());

        // the second disk: the package, the PKI, the password file and the script, as an ext4 image
        Path files = dir.resolve("package-disk");
        Files.createDirectories(files);
        Files.copy(deb, files.resolve("avocado-registrar.deb"));
        Files.copy(Path.of("src/test/resources/package-test.sh"), files.resolve("package-test.sh"));
        Files.writeString(files.resolve("console-password"), PASSWORD + "\n");
        Cli.exec("cp", "-r", pki.folder().toString(), files.resolve("pki").toString());
        Path image = dir.resolve("package.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(160L * 1024 * 1024);
        }
        Cli.Run mkfs = Cli.exec("mkfs.ext4", "-q", "-F", "-d", files.toString(), image.toString());
        assertEquals(mkfs.output(), 0, mkfs.code());

        int hostPort = Cli.freePort();
        // the device runtime off, and no login prompt on the console the script writes to
        String append = "systemd.mask=avocado.service systemd.mask=serial-getty@ttyS0.service systemd.run=\"/bin/sh -c 'mount -o ro /dev/vdb /mnt && "
                + "exec /bin/sh /mnt/package-test.sh'\"";
        VirtualDevice.Boot boot = new VirtualDevice.Boot(disk, dir.resolve("tpm"), Map.of(), null, dir.resolve("boot"), 1536)
                .with(new VirtualDevice.Extra(append, image, Map.of(hostPort, GUEST_PORT), true));
        try (VirtualDevice vm = VirtualDevice.start(boot)) {
            String console = vm.console();
            // the script's end: READY, or FAILED with the step that failed (then it waits, and so would this)
            for (long until = System.currentTimeMillis() + 600_000; !console.contains("PKGTEST READY")
                    && !console.contains("PKGTEST FAILED"); console = vm.console()) {
                assertTrue("the package test in the virtual machine did not end within 600 s:\n" + console,
                        System.currentTimeMillis() < until);
                Thread.sleep(1000);
            }
            System.out.println(console.lines().filter(l -> l.contains("PKGTEST")).reduce("", (a, b) -> a + b + "\n"));
            assertTrue(console, !console.contains("PKGTEST FAILED"));
            assertTrue(console, console.contains("PKGTEST state: drwx------ avocado-registrar avocado-registrar"));
            assertTrue(console, console.contains("PKGTEST active: active"));
            assertTrue(console, console.contains("PKGTEST process user: avocado-registrar"));
            assertTrue(console, console.contains("PKGTEST metrics: served"));
            assertTrue(console, console.contains("User=avocado-registrar") && console.contains("NoNewPrivileges=yes")
                    && console.contains("ProtectSystem=strict"));
            // the service's own log, in the journal, one logfmt line per event
            assertTrue(console, console.contains("PKGTEST journal: registrar: https://0.0.0.0:" + GUEST_PORT));

            // from the host, through qemu's forward: the registrar's TLS (its domain CA trusted) and its console
            HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.create(List.of(pki.domainCa()), null))
                    .connectTimeout(Duration.ofSeconds(30)).build();
            String origin = "https://127.0.0.1:" + hostPort;
            // as a client would: asked again while the service is (re)starting
            HttpResponse<String> page = null;
            for (long until = System.currentTimeMillis() + 180_000; page == null;) {
                try {
                    page = http.send(HttpRequest.newBuilder(URI.create(origin + "/console")).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    if (System.currentTimeMillis() > until) {
                        throw new AssertionError("the packaged registrar did not answer at " + origin + ": " + e, e);
                    }
                    Thread.sleep(3000);
                }
            }
            assertEquals(200, page.statusCode());
            assertTrue(page.body(), page.body().contains("Registrar console"));
            HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(URI.create(origin + "/console/api/sign-in"))
                    .header("Content-Type", "application/json").header("Origin", origin)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(signIn.body(), 200, signIn.statusCode());
            assertTrue(signIn.headers().firstValue("Set-Cookie").orElse(""), signIn.headers().firstValue("Set-Cookie")
                    .orElse("").startsWith("avocado-console="));
        }
    }
}
