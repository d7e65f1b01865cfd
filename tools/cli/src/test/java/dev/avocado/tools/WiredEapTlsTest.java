package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import dev.avocado.tpm.testing.Swtpm;
import dev.avocado.tpm.TpmResourceManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * E.1 on a real IEEE 802.1X link with every device key in the TPM: the device (keys in swtpm behind
 * tpm2-abrmd, as /dev/tpmrm0 shares a TPM) onboards with its LDevID key made in the TPM through
 * tpm2-pkcs11, and writes a wired profile. On a veth cable between two network namespaces, hostapd (wired
 * driver) authenticates the port against FreeRADIUS trusting the domain CA, and wpa_supplicant (wired
 * driver) runs with exactly the profile E.1 wrote. The TPM's own log shows the handshake's signature was
 * made there. Needs root (network namespaces), as tools/test runs.
 */
public class WiredEapTlsTest {

    /** TPM 2.0 part 2: the command code of TPM2_Sign. */
    static final int TPM2_SIGN = 0x15D;

    /** How often hostapd authorized the port, waiting up to 20 s for {@code expected}. */
    private static long authorizations(Path hostapdLog, int expected) throws Exception {
        long n = 0;
        for (long deadline = System.currentTimeMillis() + 20_000; System.currentTimeMillis() < deadline; Thread.sleep(100)) {
            n = Files.readString(hostapdLog, java.nio.charset.StandardCharsets.ISO_8859_1).lines()
                    .filter(l -> l.contains("IEEE 802.1X: authorizing port")).count();
            if (n >= expected) {
                break;
            }
        }
        return n;
    }

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theTpmHeldLdevidOpensAWired8021xPortThroughHostapdAndFreeRadius() throws Exception {
        assertEquals("network namespaces need root: run tools/test as root", "root", System.getProperty("user.name"));
        try (OnboardingTest.Services s = new OnboardingTest.Services(tmp.newFolder("pki").toPath());
                Swtpm swtpm = Swtpm.startCounting();
                TpmResourceManager rm = TpmResourceManager.start(swtpm.tcti(), tmp.newFolder("bus").toPath().resolve("bus"), "dev.avocado.test.Wired")) {
            s.factory();
            s.masa();
            s.registrar();
            String serial = "SN-WIRED-1";
            DeviceImage image = new ImageBuilder(s.pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                    .build(tmp.getRoot().toPath().resolve("device"), null, false, "tpm", rm.tcti(), null,
                            MprAnchoring.Content.CERTIFICATE, serial);
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=" + s.registrarUrl() + "\nlink=wired\n"
                    + "radiusServer=radius.example\n");
            int before = swtpm.commands().size();
            Cli.Run boot = Cli.runWith(rm.environment(), "device", "boot", "--image", image.root().toString(), "--batch",
                    "--until", "onboarded", "--timeout", "150");
            String out = boot.output();
            assertEquals(out, 0, boot.code());
            List<Integer> flow = swtpm.commands().subList(before, swtpm.commands().size());
            System.out.println("TPM commands from power-on to onboarded (both stacks, through tpm2-abrmd): " + flow.size()
                    + ", of them " + flow.stream().filter(c -> c == TPM2_SIGN).count() + " TPM2_Sign; by command code: "
                    + dev.avocado.tpm.TpmCommandLog.byCode(flow));
            String uri = "pkcs11:token=avocado;object=ldevid;type=private";
            assertTrue(out, out.contains("D.1 done: LDevID key (EC_P256, as csrattrs asks) at " + uri));
            assertTrue(out, out.contains("E.1 done: EAP-TLS profile for the wired 802.1X port as " + serial));
            // no private key of the device exists outside the TPM
            assertFalse(Files.exists(image.data().resolve("keys/idevid.p8")));
            assertFalse(Files.exists(image.data().resolve("keys/ldevid.p8")));

            Path profile = image.data().resolve("network/wpa_supplicant-avocado.conf");
            String wpa = Files.readString(profile);
            assertTrue(wpa, wpa.contains("ap_scan=0") && wpa.contains("key_mgmt=IEEE8021X")
                    && wpa.contains("private_key=\"" + uri + "\""));

            Path domainCa = s.pki.folder().resolve("owner/domain-ca.pem");
            Pki.Credential ca = s.pki.load(Pki.OWNER, Pki.DOMAIN_CA);
            Pki.Credential radiusTls = Pki.tls("Example Owner", "radius.example", ca.certificate(), ca.key(),
                    Instant.now().minusSeconds(60), KeyPurposeId.id_kp_serverAuth);
            Path work = tmp.newFolder("link").toPath();
            Path radiusCert = Files.writeString(work.resolve("radius.pem"), Pem.encode(radiusTls.certificate()));
            Path radiusKey = Files.writeString(work.resolve("radius.key"), Pem.encode(radiusTls.key()));
            try (WiredPort port = WiredPort.create(work.resolve("port"));
                    FreeRadius radius = FreeRadius.start(port.switchNs, work.resolve("radius"), domainCa, radiusCert,
                            radiusKey)) {
                Path authenticator = port.authenticator(radius.port(), radius.secret());
                int signsBefore = (int) swtpm.count(TPM2_SIGN);
                Map<String, String> env = new HashMap<>(rm.environment());
                env.put("TPM2_PKCS11_STORE", image.data().resolve("tpm2-pkcs11").toString());
                Path supplicant = port.supplicant(profile, env);

                String supplicantLog = WiredPort.await(supplicant, l -> l.contains("CTRL-EVENT-EAP-SUCCESS"), 60,
                        "wpa_supplicant's EAP success");
                assertFalse(supplicantLog, supplicantLog.contains("CTRL-EVENT-EAP-FAILURE"));
                String authenticatorLog = WiredPort.await(authenticator, l -> l.contains("IEEE 802.1X: authorizing port"), 20,
                        "hostapd authorizing the port");
                assertTrue(authenticatorLog, authenticatorLog.contains("AP-STA-CONNECTED"));
                String serverLog = Files.readString(radius.logFile());
                assertTrue(radius.log(), serverLog.contains("Login OK: [" + serial + "]"));
                // FreeRADIUS names the certificate that authenticated: the LDevID's subject
                String subject = serverLog.lines().filter(l -> l.contains("TLS-Client-Cert-Subject := ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no client certificate subject in" + radius.log()));
                assertTrue(subject, subject.contains("serialNumber=" + serial) && subject.contains("O=Example Owner"));
                long signs = swtpm.count(TPM2_SIGN) - signsBefore;
                System.out.println("TPM2_Sign during the 802.1X exchange: " + signs);
                assertEquals("the TLS CertificateVerify, and only it, was signed by the TPM", 1, signs);

                // the NetworkManager keyfile E.1 wrote, loaded by a real NetworkManager that opens the port with it
                port.stopSupplicant();
                Path nmKeyfile = image.data().resolve("network/avocado.nmconnection");
                Path nmSupplicant = port.networkManager(nmKeyfile, env);
                Cli.Run loaded = port.nmcli("-g", "connection.id,802-1x.eap,802-1x.identity,802-1x.private-key",
                        "connection", "show", "avocado-wired");
                assertEquals(loaded.output(), 0, loaded.code());
                // (nmcli -g escapes the colons of a value)
                assertTrue(loaded.output(), loaded.output().contains("avocado-wired\ntls\n" + serial + "\n"
                        + uri.replace(":", "\\:")));
                String nmLog = WiredPort.await(nmSupplicant, l -> l.contains("CTRL-EVENT-EAP-SUCCESS"), 60,
                        "wpa_supplicant under NetworkManager: EAP success");
                assertTrue(nmLog, nmLog.contains("TLS: Using private key from engine"));
                assertEquals("hostapd authorized the port twice: for wpa_supplicant, then for NetworkManager's", 2,
                        authorizations(authenticator, 2));
                Cli.Run device = port.nmcli("-g", "GENERAL.CONNECTION", "device", "show", WiredPort.DEVICE_END);
                assertEquals(device.output(), "avocado-wired", device.output().strip());
            }
        }
    }
}
