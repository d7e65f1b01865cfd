package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.server.Pki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The owner approves a pledge in the registrar's console, in a real browser: Debian's Chromium,
 * headless, driven by Playwright (src/test/browser, installed by tools/test). A device boots, asks the
 * registrar (approval manual) and waits; the page refuses the pledges without a session and a wrong
 * password; a page of another site, in the same browser, tries to approve and changes nothing; the
 * owner signs in, clicks Approve, and the device completes onboarding. The screenshots are kept in
 * target/console-browser.
 */
public class ConsoleBrowserTest {

    private static final String PASSWORD = "the owner's console password";
    private static final Path BROWSER = Path.of("src/test/browser");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theOwnerApprovesAPendingPledgeWithAClickAndTheDeviceOnboards() throws Exception {
        assertTrue("Playwright is not installed in " + BROWSER.toAbsolutePath() + ": tools/test runs npm ci there",
                Files.isDirectory(BROWSER.resolve("node_modules/playwright-core")));
        assertTrue("Chromium is missing: tools/test installs Debian's chromium", Files.isExecutable(Path.of("/usr/bin/chromium")));
        Path out = Path.of("target/console-browser").toAbsolutePath();
        Files.createDirectories(out);
        try (OnboardingTest.Services s = new OnboardingTest.Services(tmp.newFolder("pki").toPath())) {
            s.factory();
            s.masa();
            s.registrar("--approval", "manual");
            // the password from a file, through the running registrar's admin socket (its database is embedded)
            Path file = tmp.newFile("console-password").toPath();
            Files.writeString(file, PASSWORD + "\n");
            Cli.Run set = Cli.run("registrar", "console-password", "--pki", s.pki.folder().toString(), "--password-file",
                    file.toString());
            assertEquals(set.output(), 0, set.code());
            assertTrue(set.output(), set.output().contains("registrar console: admin password set"));

            DeviceImage image = new ImageBuilder(s.pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                    .build(tmp.getRoot().toPath().resolve("device"), null, false, "soft", null, null,
                            MprAnchoring.Content.CERTIFICATE, "SN-CONSOLE-1");
            DeviceConfig.onboarding(image, s.registrarUrl(), null, null, "radius.example");
            try (Cli.Background device = Cli.device(image, "--batch", "--until", "onboarded", "--timeout", "200")) {
                device.awaitLine(l -> l.contains("C.3 waiting: the registrar holds the request")
                        && l.contains("waits for the owner's approval"), 120_000);

                byte[] spki = s.pki.certificate(Pki.OWNER, Pki.REGISTRAR_TLS).getPublicKey().getEncoded();
                // another service on the owner's host (https on another port: the same site, another origin), whose
                // page the owner opens: the browser sends the SameSite=Strict cookie with its requests
                java.security.KeyPair evilKey = dev.avocado.protocol.x509.KeyPairs.ecP256();
                java.security.cert.X509Certificate evilCert = dev.avocado.protocol.x509.CertificateBuilder
                        .subject("CN=127.0.0.1,O=Other service", evilKey.getPublic()).selfSigned(evilKey.getPrivate())
                        .validity(java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(3600)).build();
                Path evil = tmp.newFolder("other-service").toPath();
                Files.writeString(evil.resolve("cert.pem"), dev.avocado.protocol.pem.Pem.encode(evilCert));
                Files.writeString(evil.resolve("key.pem"), dev.avocado.protocol.pem.Pem.encode(evilKey.getPrivate()));
                ProcessBuilder pb = new ProcessBuilder("node", "registrar-console.mjs").directory(BROWSER.toFile())
                        .redirectErrorStream(true);
                pb.environment().putAll(java.util.Map.of("CONSOLE_URL", s.registrarUrl(), "CONSOLE_PASSWORD", PASSWORD,
                        "CONSOLE_SERIAL", "SN-CONSOLE-1", "CONSOLE_OUT", out.toString(), "CONSOLE_SPKI",
                        spkiHash(spki) + "," + spkiHash(evilCert.getPublicKey().getEncoded()), "CONSOLE_EVIL_TLS", evil.toString()));
                Process browser = pb.start();
                String said = new String(browser.getInputStream().readAllBytes());
                System.out.print(said); // kept in the test report
                assertTrue(said, browser.waitFor(200, TimeUnit.SECONDS));
                assertEquals(said, 0, browser.exitValue());
                for (String step : List.of("browser: without a session: 401 sign in first: no console session",
                        "browser: wrong password: refused", "browser: signed in: SN-CONSOLE-1 is pending",
                        "browser: approved by a click", "browser: enrolled: LDevID serial ", "browser: done")) {
                    assertTrue(said, said.contains(step));
                }
                // another site's page: the cookie is not sent; the same site's: the cookie is, and the type and origin stop it
                assertTrue(said, said.contains("still pending (the registrar answered: sign in first: no console session)"));
                assertTrue(said, said.contains("still pending (the registrar answered: expected Content-Type application/json"));

                Cli.Run done = device.await(200);
                assertEquals(done.output(), 0, done.code());
                assertTrue(done.output(), done.output().contains("[device] onboarded: LDevID serialNumber=SN-CONSOLE-1"));
            }
            // the registrar's log says who decided, and the refusals
            String log = s.running.get(2).output();
            assertTrue(log, log.contains("C.3 serial SN-CONSOLE-1 approved by the owner in the console"));
            assertTrue(log, log.contains("console: sign-in from") && log.contains("refused: wrong password"));
            assertTrue(Files.size(out.resolve("registrar-console.png")) > 10_000);
        }
    }

    /** What Chromium's --ignore-certificate-errors-spki-list takes: base64 of the SHA-256 of the SubjectPublicKeyInfo. */
    private static String spkiHash(byte[] spki) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }
}
