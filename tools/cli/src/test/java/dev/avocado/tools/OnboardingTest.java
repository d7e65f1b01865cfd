package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import dev.avocado.tpm.testing.Swtpm;
import dev.avocado.tpm.TpmResourceManager;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * BRSKI onboarding end to end (stage 3): a device with its keys in swtpm gets its IDevID from the
 * factory process, its voucher from the MASA process through the registrar process, its LDevID from
 * the registrar's EST CA, and writes the EAP-TLS profile; openssl checks the voucher and the LDevID,
 * FreeRADIUS and eapol_test authenticate with the profile.
 */
public class OnboardingTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The manufacturer's and the owner's services on free loopback ports, each its own process. */
    static final class Services implements AutoCloseable {
        final Pki pki;
        final int factoryPort = Cli.freePort();
        final int masaPort = Cli.freePort();
        final int registrarPort = Cli.freePort();
        final List<Cli.Background> running = new ArrayList<>();

        Services(Path dir) throws Exception {
            pki = new Pki(dir);
            pki.init("Acme", "https://127.0.0.1:" + factoryPort, "127.0.0.1:" + masaPort, "Example Owner",
                    "https://127.0.0.1:" + registrarPort);
        }

        /** The PKI made by the command line, 'pki init' with these options more (its keys in a token, say). */
        Services(Path dir, String... pkiInit) throws Exception {
            pki = new Pki(dir);
            List<String> args = new ArrayList<>(List.of("pki", "init", "--out", dir.toString(), "--manufacturer", "Acme",
                    "--provisioning-url", "https://127.0.0.1:" + factoryPort, "--masa-url", "127.0.0.1:" + masaPort,
                    "--owner", "Example Owner", "--registrar-url", "https://127.0.0.1:" + registrarPort));
            args.addAll(List.of(pkiInit));
            Cli.Run init = Cli.run(args.toArray(String[]::new));
            assertEquals(init.output(), 0, init.code());
            initOutput = init.output();
        }

        /** What 'pki init' printed, when the command line made the PKI. */
        String initOutput = "";

        Cli.Background factory() throws Exception {
            return start("factory provisioning service: https://", "factory", "serve", "--pki", pki.folder().toString(),
                    "--open");
        }

        Cli.Background masa() throws Exception {
            return start("MASA: https://", "masa", "serve", "--pki", pki.folder().toString(),
                    "--ownership", "first-claim");
        }

        Cli.Background registrar(String... more) throws Exception {
            List<String> args = new ArrayList<>(List.of("registrar", "serve", "--pki", pki.folder().toString(), "--no-dns-sd"));
            args.addAll(List.of(more));
            if (!args.contains("--approval")) {
                args.addAll(List.of("--approval", "auto"));
            }
            return start("registrar: https://", args.toArray(String[]::new));
        }

        String registrarUrl() {
            return "https://127.0.0.1:" + registrarPort;
        }

        private Cli.Background start(String ready, String... args) throws Exception {
            Cli.Background b = Cli.start(args);
            running.add(b);
            b.awaitLine(l -> l.startsWith(ready), 60_000);
            return b;
        }

        @Override
        public void close() throws Exception {
            for (Cli.Background b : running) {
                b.close();
            }
        }
    }

    private DeviceImage image(Pki pki, String serial, String keys, String tcti) throws Exception {
        return new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve("device-" + serial), null, false, keys, tcti, null,
                        MprAnchoring.Content.CERTIFICATE, serial);
    }

    @Test
    public void tpmDeviceIsOnboardedAndItsEapTlsProfileAuthenticatesWithFreeRadius() throws Exception {
        try (Services s = new Services(tmp.newFolder("pki").toPath()); Swtpm swtpm = Swtpm.start();
                TpmResourceManager rm = TpmResourceManager.start(swtpm.tcti(), tmp.newFolder("bus").toPath().resolve("bus"), "dev.avocado.test.Onboarding")) {
            s.factory();
            s.masa();
            s.registrar();
            // the TPM shared as /dev/tpmrm0 shares it on a device: the ESYS key service (IDevID) and tpm2-pkcs11
            // (LDevID) in the device's JVM, tpm2-pkcs11 again in eapol_test
            Map<String, String> env = rm.environment();
            DeviceImage image = image(s.pki, "SN-BRSKI-1", "tpm", rm.tcti());
            // the data partition asks for a software LDevID key (an offline write could): the device refuses to boot
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=" + s.registrarUrl() + "\n"
                    + "radiusServer=radius.example\nldevidKeyService.target=(avocado.keys.type=soft)\n");
            Cli.Run refused = Cli.runWith(env, "device", "boot", "--image", image.root().toString(), "--keys", "tpm", "--tcti",
                    rm.tcti(), "--batch", "--until", "onboarded", "--timeout", "60");
            assertTrue(refused.output(), refused.code() != 0 && refused.output().contains("data/config/dev.avocado.brski.cfg: "
                    + "ldevidKeyService.target selects a key service, a security setting of the firmware"));
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=" + s.registrarUrl() + "\n"
                    + "radiusServer=radius.example\n");
            Cli.Run boot = Cli.runWith(env, "device", "boot", "--image", image.root().toString(), "--keys", "tpm", "--tcti", rm.tcti(),
                    "--batch", "--until", "onboarded", "--timeout", "120");
            String out = boot.output();
            assertEquals(out, 0, boot.code());
            // the IDevID key in the TPM authenticates C.0 and signs C.1
            assertTrue(out, out.contains("C.0 done: provisional TLS with CN=127.0.0.1,O=Example Owner, authenticated by "
                    + "the IDevID key at tpm:0x81020000"));
            assertTrue(out, out.contains("signed by the IDevID key at tpm:0x81020000"));
            // the nonce is YANG binary: standard base64 with padding (RFC 7951 6.6), as strict decoders read it
            java.util.regex.Matcher nonce = java.util.regex.Pattern.compile("C\\.1 done: voucher request \\(nonce ([^)]*)\\)")
                    .matcher(out);
            assertTrue(out, nonce.find());
            assertTrue(nonce.group(1), nonce.group(1).matches("[A-Za-z0-9+/]{22}=="));
            assertEquals(16, java.util.Base64.getDecoder().decode(nonce.group(1)).length);
            // the factory answered the IDevID alone (RFC 7030 4.2.3); O.7 took its CA from cacerts
            List<java.security.cert.X509Certificate> idevid = dev.avocado.protocol.pem.Pem.readCertificates(
                    image.data().resolve("identity/idevid.pem"));
            assertEquals(List.of("CN=Acme IDevID CA,O=Acme"), idevid.subList(1, idevid.size()).stream()
                    .map(c -> dev.avocado.protocol.x509.Names.display(c.getSubjectX500Principal())).toList());
            assertTrue(out, out.contains("C.10 done: voucher logged from CN=Acme MASA,O=Acme (MASA signer role of the MPR)"));
            assertTrue(out, out.contains("D.0 done: the registrar's TLS certificate CN=127.0.0.1,O=Example Owner is in the "
                    + "pinned domain"));
            assertTrue(out, out.contains("[device] onboarded: LDevID serialNumber=SN-BRSKI-1,CN=SN-BRSKI-1,O=Example Owner"));

            Path work = tmp.newFolder("check").toPath();
            // the voucher: openssl and our inspector accept it under the MPR
            Path voucher = work.resolve("voucher.der");
            Cli.Run saved = Cli.run("masa", "vouchers", "--pki", s.pki.folder().toString(), "SN-BRSKI-1", "--save",
                    voucher.toString());
            assertEquals(saved.output(), 0, saved.code());
            Cli.Run cms = Cli.exec("openssl", "cms", "-verify", "-inform", "DER", "-in", voucher.toString(), "-CAfile",
                    s.pki.mpr().toString(), "-purpose", "any");
            assertEquals(cms.output(), 0, cms.code());
            assertTrue(cms.output(), cms.output().contains("Verification successful")
                    && cms.output().contains("\"serial-number\":\"SN-BRSKI-1\""));
            // the voucher the device accepted and kept is the one the MASA logged, and openssl accepts it too
            byte[] kept = java.util.Base64.getDecoder().decode(Files.readString(image.data().resolve("identity/ldevid.voucher"))
                    .strip());
            org.junit.Assert.assertArrayEquals(Files.readAllBytes(voucher), kept);
            Path keptFile = work.resolve("kept-voucher.der");
            Files.write(keptFile, kept);
            Cli.Run keptCms = Cli.exec("openssl", "cms", "-verify", "-inform", "DER", "-in", keptFile.toString(), "-CAfile",
                    s.pki.mpr().toString(), "-purpose", "any", "-out", "/dev/null");
            assertEquals(keptCms.output(), 0, keptCms.code());
            Cli.Run inspect = Cli.run("voucher", "inspect", voucher.toString(), "--trust", s.pki.mpr().toString());
            assertEquals(inspect.output(), 0, inspect.code());
            assertTrue(inspect.output(), inspect.output().contains("pinned:       CN=Example Owner Domain CA,O=Example Owner"));
            Cli.Run foreign = Cli.run("voucher", "inspect", voucher.toString(), "--trust",
                    s.pki.folder().resolve("owner/domain-ca.pem").toString());
            assertEquals(foreign.output(), 1, foreign.code());
            assertTrue(foreign.output(), foreign.output().contains("does not verify: the signer CN=Acme MASA,O=Acme does not "
                    + "chain to a trusted anchor"));

            // the LDevID: openssl accepts it under the domain CA, for TLS clients
            Path domainCa = s.pki.folder().resolve("owner/domain-ca.pem");
            Path ldevid = image.data().resolve("network/ldevid.pem");
            Cli.Run verify = Cli.exec("openssl", "verify", "-CAfile", domainCa.toString(), "-purpose", "sslclient",
                    ldevid.toString());
            assertEquals(verify.output(), 0, verify.code());

            // E.1: FreeRADIUS trusting the domain CA, eapol_test with the profile the device wrote
            Pki.Credential ca = s.pki.load(Pki.OWNER, Pki.DOMAIN_CA);
            Pki.Credential radiusTls = Pki.tls("Example Owner", "radius.example", ca.certificate(), ca.key(),
                    Instant.now().minusSeconds(60), KeyPurposeId.id_kp_serverAuth);
            Path radiusCert = work.resolve("radius.pem");
            Path radiusKey = work.resolve("radius.key");
            Files.writeString(radiusCert, Pem.encode(radiusTls.certificate()));
            Files.writeString(radiusKey, Pem.encode(radiusTls.key()));
            // the LDevID key is in the TPM, named by its PKCS#11 URI; no file of it exists
            String uri = "pkcs11:token=avocado;object=ldevid;type=private";
            assertTrue(out, out.contains("D.1 done") && out.contains(uri));
            assertFalse("no LDevID key file", Files.exists(image.data().resolve("keys/ldevid.p8")));
            String wpa = Files.readString(image.data().resolve("network/wpa_supplicant-avocado.conf"));
            assertTrue(wpa, wpa.contains("private_key=\"" + uri + "\"") && wpa.contains("pkcs11_module_path=/usr/lib/"));
            Map<String, String> supplicantEnv = new java.util.HashMap<>(env);
            supplicantEnv.put("TPM2_PKCS11_STORE", image.data().resolve("tpm2-pkcs11").toString());
            try (FreeRadius radius = FreeRadius.start(tmp.newFolder("radius").toPath(), domainCa, radiusCert, radiusKey)) {
                FreeRadius.Result result = radius.eapolTest(image.data().resolve("network/wpa_supplicant-avocado.conf"),
                        supplicantEnv);
                assertTrue(result.output() + radius.log(), result.success());
                assertTrue(radius.log(), Files.readString(radius.logFile()).contains("Login OK: [SN-BRSKI-1]"));
            }
            String nm = Files.readString(image.data().resolve("network/avocado.nmconnection"));
            assertTrue(nm, nm.contains("eap=tls;") && nm.contains("identity=SN-BRSKI-1")
                    && nm.contains("private-key=" + uri));

            Cli.Run pledges = Cli.run("registrar", "pledges", "--pki", s.pki.folder().toString());
            assertTrue(pledges.output(), pledges.output().contains("SN-BRSKI-1           enrolled"));

            // the shell shows the voucher and the LDevID; a reboot finds the device onboarded
            Cli.Run shell = Cli.runWith(env, "device", "boot", "--image", image.root().toString(), "--exec",
                    "brski:voucher; brski:ldevid; brski:network");
            assertEquals(shell.output(), 0, shell.code());
            assertTrue(shell.output(), shell.output().contains("(in the MPR's MASA signer role)"));
            assertTrue(shell.output(), shell.output().contains("[device] onboarded: IDevID serial SN-BRSKI-1"));
            assertTrue(shell.output(), shell.output().contains("key_mgmt=WPA-EAP WPA-EAP-SHA256"));
        }
    }

    /**
     * The registrar and the MASA start after the device, the owner approves late: it keeps trying and
     * finishes; then a wipe from partition two takes it back to provisioning.
     */
    @Test
    public void registrarDownThenManualApprovalThenMasaDownThenUpThenWipe() throws Exception {
        try (Services s = new Services(tmp.newFolder("pki").toPath())) {
            s.factory();
            DeviceImage image = image(s.pki, "SN-BRSKI-2", "soft", null);
            DeviceConfig.onboarding(image, s.registrarUrl(), null, null, "radius.example");
            try (Cli.Background device = Cli.device(image, "--batch", "--until", "onboarded", "--timeout", "150")) {
                device.awaitLine(l -> l.contains("C.0 failed: the registrar at " + s.registrarUrl() + " cannot be reached"),
                        60_000);
                s.registrar("--approval", "manual");
                device.awaitLine(l -> l.contains("C.3 waiting: the registrar holds the request") && l.contains(
                        "waits for the owner's approval (registrar approve SN-BRSKI-2)"), 60_000);
                assertFalse(Files.exists(image.data().resolve("identity/ldevid.pem")));
                Cli.Run approve = Cli.run("registrar", "approve", "--pki", s.pki.folder().toString(), "SN-BRSKI-2");
                assertEquals(approve.output(), 0, approve.code());
                device.awaitLine(l -> l.contains("C.4 failed: C.2 voucher request: the registrar answered HTTP 503: the MASA "
                        + "at https://127.0.0.1:" + s.masaPort + "/.well-known/brski/requestvoucher cannot be reached"), 60_000);
                s.masa();
                Cli.Run done = device.await(150);
                assertEquals(done.output(), 0, done.code());
                assertTrue(done.output(), done.output().contains("[device] onboarded: LDevID serialNumber=SN-BRSKI-2"));
            }
            // the seed's "remove iDevID and reboot", from partition two
            Path data = image.data();
            assertTrue(Files.exists(data.resolve("network/wpa_supplicant-avocado.conf")));
            Cli.Run wipe = Cli.run("device", "boot", "--image", image.root().toString(), "--until", "onboarded", "--exec",
                    "brski:wipe");
            assertEquals(wipe.output(), 0, wipe.code());
            assertTrue(wipe.output(), wipe.output().contains("wiped: LDevID, IDevID and their keys removed; rebooting"));
            assertTrue(wipe.output(), wipe.output().substring(wipe.output().indexOf("; rebooting /"))
                    .contains("[device] unprovisioned: no IDevID yet; provisioning starts"));
            for (String gone : List.of("network/wpa_supplicant-avocado.conf", "network/avocado.nmconnection",
                    "network/ldevid.pem", "identity/ldevid.pem", "identity/ldevid.voucher", "keys/ldevid.p8")) {
                assertFalse(gone, Files.exists(data.resolve(gone)));
            }
        }
    }

    /**
     * The firmware's explicit avocado.ldevid.keys=soft, the demo convenience that keeps the LDevID key in a
     * file on a TPM device, and says so: the IDevID stays in the TPM, nothing is made at the LDevID's handle.
     */
    @Test
    public void theFirmwareMayKeepTheLdevidInSoftwareOnATpmDeviceAndItSaysSo() throws Exception {
        try (Services s = new Services(tmp.newFolder("pki").toPath()); Swtpm swtpm = Swtpm.start()) {
            s.factory();
            s.masa();
            s.registrar();
            DeviceImage image = image(s.pki, "SN-BRSKI-3", "tpm", swtpm.tcti());
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=" + s.registrarUrl() + "\n"
                    + "radiusServer=radius.example\n");
            Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "-Davocado.ldevid.keys=soft",
                    "--batch", "--until", "onboarded", "--timeout", "120");
            assertEquals(boot.output(), 0, boot.code());
            assertTrue(boot.output(), boot.output().contains("C.0 done: provisional TLS with CN=127.0.0.1,O=Example Owner, "
                    + "authenticated by the IDevID key at tpm:0x81020000"));
            assertTrue(boot.output(), boot.output().contains("D.1 done: LDevID key (EC_P256, as csrattrs asks) at file:"));
            assertTrue(boot.output(), boot.output().contains("NOT in secure storage"));
            assertTrue(Files.exists(image.data().resolve("keys/ldevid.p8")));
            assertTrue("nothing was made at the ESYS service's LDevID handle",
                    swtpm.toolsResult("tpm2_readpublic", "-c", "0x81020001").code() != 0);
            String wpa = Files.readString(image.data().resolve("network/wpa_supplicant-avocado.conf"));
            assertTrue(wpa, wpa.contains("private_key=\"" + image.data().resolve("keys/ldevid.p8") + "\""));
        }
    }

    /** The device renews its LDevID (simplereenroll) before it expires, and rewrites its profile for the new one. */
    @Test
    public void ldevidIsRenewedBeforeItExpires() throws Exception {
        try (Services s = new Services(tmp.newFolder("pki").toPath())) {
            s.factory();
            s.masa();
            // 90 s from issue (the registrar backdates 60 s for clock skew): at 50% the device renews 15 s after enrolling
            s.registrar("--ldevid-validity", "PT90S");
            DeviceImage image = image(s.pki, "SN-BRSKI-4", "soft", null);
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=" + s.registrarUrl() + "\nrenewAtPercent=50\nradiusServer=radius.example\n");
            try (Cli.Background device = Cli.device(image, "--daemon")) {
                device.awaitLine(l -> l.contains("[device] onboarded: LDevID serialNumber=SN-BRSKI-4"), 120_000);
                java.math.BigInteger first = Pem.readCertificates(image.data().resolve("identity/ldevid.pem")).get(0)
                        .getSerialNumber();
                long deadline = System.currentTimeMillis() + 90_000;
                List<String> ldevids = List.of();
                while (System.currentTimeMillis() < deadline) {
                    ldevids = Cli.run("registrar", "ldevids", "--pki", s.pki.folder().toString(), "SN-BRSKI-4").output()
                            .lines().filter(l -> l.startsWith("SN-BRSKI-4")).toList();
                    if (ldevids.size() >= 2) {
                        break;
                    }
                    Thread.sleep(2000);
                }
                assertTrue(ldevids.toString(), ldevids.size() >= 2 && ldevids.get(0).contains("replaced"));
                // the device saves the new LDevID and rewrites its profile just after the registrar answers
                java.security.cert.X509Certificate renewed = null;
                for (long until = System.currentTimeMillis() + 30_000; System.currentTimeMillis() < until; Thread.sleep(200)) {
                    renewed = Pem.readCertificates(image.data().resolve("identity/ldevid.pem")).get(0);
                    if (!renewed.getSerialNumber().equals(first) && Files.readString(image.data().resolve("network/ldevid.pem"))
                            .contains(Pem.encode(renewed).strip())) {
                        break;
                    }
                }
                assertTrue("the device holds a new LDevID", !renewed.getSerialNumber().equals(first));
                assertTrue(Files.readString(image.data().resolve("network/ldevid.pem")).contains(
                        Pem.encode(renewed).strip()));
            }
        }
    }
}
