package dev.avocado.tools;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.FactoryService;
import dev.avocado.factory.testing.Postgres;
import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.Pki;
import dev.avocado.tpm.testing.Swtpm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * IDevID provisioning end to end (stage 2): a device image boots, makes its key, asks the factory
 * service named by its MPR, checks and saves the IDevID and records it. The factory runs as its own
 * process; independent tools (openssl, tpm2-tools) check the result.
 */
public class ProvisioningTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** A manufacturer PKI whose MPR names a free loopback port. */
    private Pki pki(String name, int port) throws Exception {
        Pki pki = new Pki(tmp.getRoot().toPath().resolve(name));
        pki.init(name, "https://127.0.0.1:" + port, "masa." + name.toLowerCase() + ".test:8444");
        return pki;
    }

    private DeviceImage image(Pki pki, String name, String serial, String keys, String tcti) throws Exception {
        return new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve(name), null, false, keys, tcti, null, MprAnchoring.Content.CERTIFICATE, serial);
    }

    private static Cli.Background factory(Pki pki, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("factory", "serve", "--pki", pki.folder().toString(),
                "--bind", "127.0.0.1"));
        args.addAll(List.of(more));
        if (!args.contains("--allowlist") && !args.contains("--station-ca")) {
            args.add("--open");
        }
        Cli.Background f = Cli.start(args.toArray(String[]::new));
        f.awaitLine(l -> l.startsWith("factory provisioning service: https://127.0.0.1:"), 60_000);
        return f;
    }

    @Test
    public void deviceWithTpmIsProvisionedByTheFactoryProcessAndToolsAgree() throws Exception {
        int port = Cli.freePort();
        Pki pki = pki("Acme", port);
        try (Swtpm swtpm = Swtpm.start()) {
            DeviceImage image = image(pki, "device", "SN-E2E-1", "tpm", swtpm.tcti());
            try (Cli.Background factory = factory(pki, "--port", String.valueOf(port))) {
                Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "--keys", "tpm", "--tcti",
                        swtpm.tcti(), "--batch", "--until", "provisioned");
                assertEquals(boot.output(), 0, boot.code());
                assertTrue(boot.output(), boot.output().contains("[device] provisioning: O.1 done: key idevid at tpm:0x81020000"));
                assertTrue(boot.output(), boot.output().contains("[device] provisioning: O.d done: the manufacturer recorded"));
                assertTrue(boot.output(), boot.output().contains("[device] provisioned: IDevID serial SN-E2E-1 (MASA "
                        + "masa.acme.test:8444); partition two active"));
            }

            Path pem = image.data().resolve("identity/idevid.pem");
            List<X509Certificate> chain = Pem.readCertificates(pem);
            assertEquals(2, chain.size());
            Path leaf = tmp.newFile("leaf.pem").toPath();
            Path ca = tmp.newFile("ca.pem").toPath();
            Files.writeString(leaf, Pem.encode(chain.get(0)));
            Files.writeString(ca, Pem.encode(chain.get(1)));

            Cli.Run verify = Cli.exec("openssl", "verify", "-CAfile", pki.mpr().toString(), "-untrusted", ca.toString(), leaf.toString());
            assertEquals(verify.output(), 0, verify.code());
            Cli.Run x509 = Cli.exec("openssl", "x509", "-in", leaf.toString(), "-noout", "-subject", "-enddate", "-text");
            assertTrue(x509.output(), x509.output().contains("serialNumber = SN-E2E-1"));
            assertTrue(x509.output(), x509.output().contains("notAfter=Dec 31 23:59:59 9999 GMT"));
            assertTrue(x509.output(), x509.output().contains("1.3.6.1.5.5.7.1.32:") && x509.output().contains("masa.acme.test:8444"));
            assertTrue(x509.output(), x509.output().contains("Digital Signature"));

            Path der = tmp.newFile("tpm.der").toPath();
            swtpm.tools("tpm2_readpublic", "-c", "0x81020000", "-f", "der", "-o", der.toString());
            assertArrayEquals("the TPM holds the IDevID's key", chain.get(0).getPublicKey().getEncoded(), Files.readAllBytes(der));

            Cli.Run wellFormed = Cli.run("idevid", "verify", pem.toString(), "--mpr", pki.mpr().toString());
            assertEquals(wellFormed.output(), 0, wellFormed.code());
            assertTrue(wellFormed.output(), wellFormed.output().contains("well formed: serialNumber=SN-E2E-1"));
            assertTrue(wellFormed.output(), wellFormed.output().contains("MASA URL:      masa.acme.test:8444 "
                    + "(https://masa.acme.test:8444/.well-known/brski)"));
            Cli.Run notUnderMpr = Cli.run("idevid", "verify", pem.toString(), "--mpr", pki("Other", 1).mpr().toString());
            assertEquals(notUnderMpr.output(), 1, notUnderMpr.code());
            assertTrue(notUnderMpr.output(), notUnderMpr.output().contains("not well formed"));
        }
        Cli.Run devices = Cli.run("factory", "devices", "--pki", pki.folder().toString());
        assertEquals(devices.output(), 0, devices.code());
        assertTrue(devices.output(), devices.output().contains("SN-E2E-1             live"));
        assertTrue(devices.output(), devices.output().contains("DPP DPP:V:2;I:SN-E2E-1;K:"));
    }

    @Test
    public void deviceIsProvisionedAgainstAFactoryOnPostgres() throws Exception {
        int port = Cli.freePort();
        Pki pki = pki("Pgco", port);
        try (Postgres pg = Postgres.start()) {
            DeviceImage image = image(pki, "device", "SN-PG-1", "soft", null);
            try (Cli.Background factory = factory(pki, "--port", String.valueOf(port), "--db", pg.jdbcUrl())) {
                Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "--batch", "--until", "provisioned");
                assertEquals(boot.output(), 0, boot.code());
            }
            Cli.Run devices = Cli.run("factory", "devices", "--db", pg.jdbcUrl());
            assertTrue(devices.output(), devices.output().contains("SN-PG-1              live"));
            assertTrue(devices.output(), devices.output().contains("DPP DPP:V:2;I:SN-PG-1;K:"));
        }
    }

    @Test
    public void deviceSavesNothingUntilAGoodIdevidArrives() throws Exception {
        int port = Cli.freePort();
        Pki acme = pki("Acme", port);
        Pki other = pki("Other", port);
        DeviceImage image = image(acme, "device", "SN-NEG-1", "soft", null);
        Path idevid = image.data().resolve("identity/idevid.pem");

        // a provisioning service whose TLS certificate does not chain to the MPR
        try (FactoryService impostor = FactoryService.start(other, "jdbc:h2:mem:impostor", settings(port))) {
            expectRetrying(image, "O.3 failed: the provisioning service at https://127.0.0.1:" + port
                    + "/.well-known/est/simpleenroll cannot be reached or is not trusted");
        }
        assertFalse(Files.exists(idevid));

        // attack 3: a genuine IDevID under the same root, named like the factory (CN and subjectAltName
        // 127.0.0.1, as IDevIDs that copied a CSR's names could be), serves TLS at the MPR's address
        Pki.Credential idevidCa = acme.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        KeyPair posingKey = KeyPairs.ecP256();
        X509Certificate posing = dev.avocado.protocol.x509.CertificateBuilder.subject(IdevidProfile.subject("Acme",
                "127.0.0.1", "ATTACKER-1"), posingKey.getPublic()).issuer(idevidCa.certificate(), idevidCa.key())
                .validity(Instant.now().minusSeconds(60), dev.avocado.protocol.x509.CertificateBuilder.NO_WELL_DEFINED_EXPIRY)
                .endEntity().keyUsage(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature)
                .subjectAltName(new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.iPAddress,
                        "127.0.0.1")).build();
        try (HttpsServer posingFactory = HttpsServer.builder("posing").bind("127.0.0.1", port)
                .tls(TlsContexts.create(List.of(), new TlsContexts.Credential(posingKey.getPrivate(),
                        List.of(posing, idevidCa.certificate()))), HttpsServer.ClientAuth.NONE)
                .route("POST", Est.SIMPLEENROLL, ex -> HttpsServer.Reply.text(500, "never reached")).start()) {
            expectRetrying(image, "is not issued by a manufacturer root of the MPR itself");
        }
        assertFalse(Files.exists(idevid));

        // the right TLS certificate, but answers that are not this device's IDevID
        Pki.Credential tls = acme.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
        Pki.Credential ca = acme.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        X509Certificate otherKey = IdevidProfile.issue(ca.certificate(), ca.key(), null,
                IdevidProfile.subject("Acme", "x", "SN-NEG-1"), KeyPairs.ecP256().getPublic(), "masa", Instant.now());
        String[][] answers = {
            {"garbage", "O.7 failed: the answer is not an IDevID"},
            {"other-key", "O.7 failed: the returned certificate is for another key than file:"},
            {"other-serial", "O.7 failed: the returned certificate is for serial SN-OTHER, not SN-NEG-1"},
        };
        for (String[] a : answers) {
            HttpsServer.Route answer = ex -> {
                byte[] body = switch (a[0]) {
                    case "garbage" -> "<html>busy</html>".getBytes();
                    case "other-key" -> Est.certsOnly(List.of(otherKey, ca.certificate()));
                    default -> {
                        // the device's own key, from its CSR, under another serial
                        java.security.PublicKey key = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(
                                Est.parseCsr(ex.body())).getPublicKey();
                        yield Est.certsOnly(List.of(IdevidProfile.issue(ca.certificate(), ca.key(), null,
                                IdevidProfile.subject("Acme", "x", "SN-OTHER"), key, "masa", Instant.now()), ca.certificate()));
                    }
                };
                return HttpsServer.Reply.of(200, Est.CERTS_ONLY, body);
            };
            try (HttpsServer fake = HttpsServer.builder("fake").bind("127.0.0.1", port)
                    .tls(TlsContexts.create(List.of(), new TlsContexts.Credential(tls.key(), tls.withChain())),
                            HttpsServer.ClientAuth.NONE)
                    .route("POST", Est.SIMPLEENROLL, answer).start()) {
                expectRetrying(image, a[1]);
            }
            assertFalse(a[0] + ": nothing saved", Files.exists(idevid));
        }

        // the real service, down at first, then up: the device keeps trying and finishes
        try (Cli.Background device = Cli.device(image, "--batch", "--until", "provisioned", "--timeout", "120")) {
            device.awaitLine(l -> l.contains("O.3 failed") && l.contains("cannot be reached"), 60_000);
            try (FactoryService real = FactoryService.start(acme, "jdbc:h2:mem:real", settings(port))) {
                Cli.Run done = device.await(120);
                assertEquals(done.output(), 0, done.code());
                assertTrue(done.output(), done.output().contains("[device] provisioned: IDevID serial SN-NEG-1"));
            }
        }
        assertTrue(Files.exists(idevid));
    }

    @Test
    public void rejectedCsrIsAFailedDeviceSayingWhy() throws Exception {
        int port = Cli.freePort();
        Pki acme = pki("Acme", port);
        DeviceImage image = image(acme, "device", "SN-NOT-PLANNED", "soft", null);
        try (FactoryService f = FactoryService.start(acme, "jdbc:h2:mem:plan", new FactoryService.Settings("127.0.0.1", port,
                "masa", true, List.of()))) {
            Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "--batch", "--until", "provisioned");
            assertEquals(boot.output(), 1, boot.code());
            assertTrue(boot.output(), boot.output().contains("[device] failed: IDevID provisioning failed: O.4: the "
                    + "manufacturer rejected the CSR (HTTP 403): serial SN-NOT-PLANNED cannot be given an IDevID here: it is "
                    + "not in the production plan"));
        }
        assertFalse(Files.exists(image.data().resolve("identity/idevid.pem")));
    }

    @Test
    public void killedAtEveryStepTheDeviceStillEndsWithAValidIdevidForItsTpmKey() throws Exception {
        int port = Cli.freePort();
        Pki acme = pki("Acme", port);
        // steps up to the save: each kill lands when the device has printed the step (it may be a little further)
        String[] killAt = {"O.1 done", "O.2 done", "O.3 started", "O.6 done", "O.8 done"};
        String db = "jdbc:h2:file:" + tmp.getRoot().toPath().resolve("db/f");
        try (Swtpm swtpm = Swtpm.start()) {
            DeviceImage image = image(acme, "device", "SN-CRASH-1", "tpm", swtpm.tcti());
            Path identity = image.data().resolve("identity");
            try (FactoryService factory = FactoryService.start(acme, db, settings(port))) {
                for (String step : killAt) {
                    Cli.Background device = Cli.device(image, "--batch", "--until", "provisioned", "--timeout", "120");
                    device.awaitLine(l -> l.startsWith("[device] provisioning: " + step) || l.startsWith("[device] provisioned"),
                            120_000);
                    device.kill();
                    checkNothingHalfWritten(identity, swtpm, acme);
                }
            }
            // after the save, with the factory down: the device has its IDevID and DPP URI (O.c) and keeps
            // retrying the record (O.d) when it is killed, every time. Should the last round have got as far
            // as the record, its confirmation is taken away: the power cut came before it was saved.
            assertTrue("the IDevID is saved by now", Files.exists(identity.resolve("idevid.pem")));
            Files.deleteIfExists(identity.resolve("idevid.recorded"));
            Cli.Background device = Cli.device(image, "--batch", "--until", "provisioned", "--timeout", "120");
            String seen = device.awaitLine(l -> l.startsWith("[device] provisioning: O.d failed") || l.startsWith("[device] provisioned"),
                    120_000);
            device.kill();
            assertTrue("killed while recording, not after: " + seen, seen.startsWith("[device] provisioning: O.d failed"));
            assertTrue(Files.exists(identity.resolve("idevid.dpp")));
            assertFalse("the record is not done", Files.exists(identity.resolve("idevid.recorded")));
            checkNothingHalfWritten(identity, swtpm, acme);

            try (FactoryService factory = FactoryService.start(acme, db, settings(port))) {
                Cli.Run last = Cli.device(image, "--batch", "--until", "provisioned", "--timeout", "120").await(150);
                assertEquals(last.output(), 0, last.code());
            }
            checkNothingHalfWritten(identity, swtpm, acme);
            try (Stream<Path> files = Files.list(identity)) {
                List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
                assertTrue("no temporary file is left after a clean boot: " + left, left.isEmpty());
            }
            try (FactoryService.Admin admin = FactoryService.admin(db)) {
                List<String> rows = admin.devices();
                assertEquals("one IDevID for the serial, however often the device asked: " + rows, 1, rows.size());
                assertTrue(rows.get(0), rows.get(0).contains("DPP DPP:V:2;I:SN-CRASH-1;K:"));
            }
        }
    }

    /** Any IDevID on the data partition is whole (its certificate and the CA's), well formed, for the key in the TPM. */
    private void checkNothingHalfWritten(Path identity, Swtpm swtpm, Pki acme) throws Exception {
        Path pem = identity.resolve("idevid.pem");
        if (Files.exists(pem)) {
            List<X509Certificate> chain = Pem.readCertificates(pem);
            assertEquals(pem + " holds the IDevID and its CA", 2, chain.size());
            IdevidProfile.check(chain, List.of(acme.root()), Instant.now());
            Path der = tmp.newFile().toPath();
            swtpm.tools("tpm2_readpublic", "-c", "0x81020000", "-f", "der", "-o", der.toString());
            assertArrayEquals("the IDevID's key is the TPM's", chain.get(0).getPublicKey().getEncoded(), Files.readAllBytes(der));
        }
    }

    private void expectRetrying(DeviceImage image, String reason) throws Exception {
        Cli.Run run = Cli.device(image, "--batch", "--until", "provisioned", "--timeout", "6").await(60);
        assertEquals(run.output(), 3, run.code());
        assertTrue("'" + reason + "' in:\n" + run.output(), run.output().contains(reason));
    }

    private static FactoryService.Settings settings(int port) {
        return new FactoryService.Settings("127.0.0.1", port, "masa.acme.test:8444", false, List.of());
    }
}
