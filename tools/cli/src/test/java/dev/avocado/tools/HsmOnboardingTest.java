package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import dev.avocado.server.testing.SoftHsm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every server signing key in an HSM (SoftHSM2 through the JDK's SunPKCS11): 'pki init' makes the
 * IDevID CA, MASA signer, domain CA and registrar signer keys in the token; the factory, MASA and
 * registrar, each its own process, sign with them there; a device provisions and onboards; pkcs11-tool
 * sees four private keys, sensitive and never extractable, and the PKI folder holds none of them. A
 * wrong PIN and a missing key stop a server at its start with the reason.
 */
public class HsmOnboardingTest {

    private static final String PIN = "8642-user-pin";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private String token;
    private Path pinFile;

    /** A new SoftHSM2 token, its PIN in a file, and the servers' PKI made by 'pki init' with its keys there. */
    private OnboardingTest.Services servicesWithKeysInAToken() throws Exception {
        token = "servers-" + UUID.randomUUID().toString().substring(0, 8);
        SoftHsm.initToken(token, PIN);
        pinFile = tmp.newFile("token.pin").toPath();
        Files.writeString(pinFile, PIN + "\n");
        return new OnboardingTest.Services(tmp.newFolder("pki").toPath(), "--pkcs11-module", SoftHsm.MODULE.toString(),
                "--pkcs11-token", token, "--pkcs11-pin-file", pinFile.toString());
    }

    @Test
    public void everyServerKeyIsInTheTokenAndADeviceProvisionsAndOnboards() throws Exception {
        try (OnboardingTest.Services s = servicesWithKeysInAToken()) {
            for (String name : Pki.IN_TOKEN) {
                String party = Pki.partyOf(name);
                assertTrue(s.initOutput, s.initOutput.contains(party + "/" + name + ", key in PKCS#11 token " + token + " of "
                        + SoftHsm.MODULE));
                assertFalse(name, Files.exists(s.pki.folder().resolve(party).resolve(name + ".key")));
            }
            s.factory();
            s.masa();
            s.registrar();
            DeviceImage image = new ImageBuilder(s.pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                    .build(tmp.getRoot().toPath().resolve("device"), null, false, "soft", null, null,
                            MprAnchoring.Content.CERTIFICATE, "SN-HSM-1");
            DeviceConfig.onboarding(image, s.registrarUrl(), null, null, "radius.example");
            Cli.Run boot = Cli.run("device", "boot", "--image", image.root().toString(), "--batch", "--until", "onboarded",
                    "--timeout", "120");
            assertEquals(boot.output(), 0, boot.code());
            assertTrue(boot.output(), boot.output().contains("[device] onboarded: LDevID serialNumber=SN-HSM-1"));

            // what the token's keys signed, checked with their certificates
            X509Certificate idevid = Pem.readCertificates(image.data().resolve("identity/idevid.pem")).get(0);
            idevid.verify(s.pki.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA).getPublicKey());
            X509Certificate ldevid = Pem.readCertificates(image.data().resolve("identity/ldevid.pem")).get(0);
            ldevid.verify(s.pki.domainCa().getPublicKey());
            assertTrue(boot.output(), boot.output().contains("C.10 done: voucher logged from CN=Acme MASA,O=Acme"));

            String objects = SoftHsm.listObjects(token, PIN);
            assertEquals(objects, 4, objects.split("Private Key Object", -1).length - 1);
            assertEquals(objects, 4, objects.split("Access:     sensitive, always sensitive, never extractable", -1).length - 1);
            for (String name : Pki.IN_TOKEN) {
                assertTrue(objects, objects.contains("label:      " + name));
            }
        }
    }

    @Test
    public void aWrongPinOrAMissingKeyStopsTheServerAtItsStart() throws Exception {
        OnboardingTest.Services s = servicesWithKeysInAToken();
        Files.writeString(pinFile, "0000-not-the-pin\n");
        Cli.Run factory = Cli.run("factory", "serve", "--pki", s.pki.folder().toString(), "--open");
        assertNotEquals(factory.output(), 0, factory.code());
        assertTrue(factory.output(), factory.output().contains("PKCS#11 token " + token + " of " + SoftHsm.MODULE
                + " refused the PIN in " + pinFile));
        assertTrue(factory.output(), factory.output().contains("CKR_PIN_INCORRECT"));
        assertFalse(factory.output(), factory.output().contains("Exception"));
        System.out.print(factory.output());

        Files.writeString(pinFile, PIN + "\n");
        // the PKI says the registrar's TLS key is in the token, which has none of that label
        Files.writeString(s.pki.folder().resolve("owner/registrar-tls.p11"), "pkcs11:token=" + token + ";object=registrar-tls\n");
        Cli.Run registrar = Cli.run("registrar", "serve", "--pki", s.pki.folder().toString(), "--no-dns-sd", "--approval", "auto");
        assertNotEquals(registrar.output(), 0, registrar.code());
        assertTrue(registrar.output(), registrar.output().contains("PKCS#11 token " + token + " of " + SoftHsm.MODULE
                + " has no private key labelled registrar-tls"));
        assertFalse(registrar.output(), registrar.output().contains("Exception"));
        System.out.print(registrar.output());
        s.close();
    }

}
