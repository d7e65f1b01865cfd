package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.testing.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The servers' signing keys in a PKCS#11 token (SoftHSM2) through SunPKCS11: made there by pki init,
 * never written as files, used where they are, seen by pkcs11-tool as sensitive and never extractable;
 * a wrong PIN, a missing token and a missing key each a clear error.
 */
public class TokenKeysTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Both tests' tokens, made before the module is loaded in this JVM: SoftHSM2 reads its tokens when it initializes. */
    private static final String PKI_TOKEN = label();
    private static final String OTHER_TOKEN = label();
    private static final String MOVE_TOKEN = label();

    @org.junit.BeforeClass
    public static void tokens() throws Exception {
        SoftHsm.initToken(PKI_TOKEN, "4321-user-pin");
        SoftHsm.initToken(OTHER_TOKEN, "1111-user-pin");
        SoftHsm.initToken(MOVE_TOKEN, "3333-user-pin");
    }

    private TokenKeys.Config token(String label, String pin) throws Exception {
        Path pinFile = tmp.getRoot().toPath().resolve(label + ".pin");
        Files.writeString(pinFile, pin + "\n");
        return new TokenKeys.Config(SoftHsm.MODULE, label, pinFile);
    }

    private static String label() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    public void pkiInitMakesTheServersSigningKeysInTheTokenAndTheyNeverExistAsFiles() throws Exception {
        String label = PKI_TOKEN;
        TokenKeys.Config config = token(label, "4321-user-pin");
        Pki pki = new Pki(tmp.newFolder("pki").toPath());
        pki.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:9443", "Example Owner", "https://127.0.0.1:8445", config);
        for (String name : Pki.IN_TOKEN) {
            String party = Pki.partyOf(name);
            assertFalse(name, Files.exists(pki.folder().resolve(party).resolve(name + ".key")));
            assertEquals("pkcs11:token=" + label + ";object=" + name + ";type=private\n",
                    Files.readString(pki.folder().resolve(party).resolve(name + ".p11")));
            assertEquals("PKCS#11 token " + label + " of " + SoftHsm.MODULE, pki.keyLocation(party, name));
            assertNull(name, pki.load(party, name).key().getEncoded());
        }
        // the others stay files (TLS keys, the root, the firmware signer)
        assertTrue(Files.exists(pki.folder().resolve(Pki.OWNER).resolve(Pki.REGISTRAR_TLS + ".key")));
        assertEquals("file", pki.keyLocation(Pki.MANUFACTURER, Pki.ROOT));

        // the token's keys sign: an IDevID under the IDevID CA, a voucher by the MASA, both verified in software
        Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        X509Certificate idevid = IdevidProfile.issue(ca.certificate(), ca.key(), null,
                IdevidProfile.subject("Acme", "Thing", "SN-HSM-1"), KeyPairs.ecP256().getPublic(), "127.0.0.1:9443", Instant.now());
        idevid.verify(ca.certificate().getPublicKey());
        Pki.Credential masa = pki.load(Pki.MANUFACTURER, Pki.MASA);
        byte[] cms = VoucherCms.sign(Voucher.voucher(OffsetDateTime.now(), OffsetDateTime.now().plusDays(1), "logged", "SN-HSM-1",
                null, pki.domainCa().getEncoded(), "bm9uY2U="), masa.key(), null, List.of(masa.certificate()));
        assertEquals("SN-HSM-1", VoucherCms.verify(cms, null, Instant.now(), List.of()).voucher().serialNumber());
        // the domain CA signed the registrar's certificates inside the token too
        pki.certificate(Pki.OWNER, Pki.REGISTRAR).verify(pki.domainCa().getPublicKey());

        // an independent reader: four private keys, each sensitive and never extractable, with their certificates
        String objects = SoftHsm.listObjects(label, "4321-user-pin");
        assertEquals(objects, 4, objects.split("Private Key Object", -1).length - 1);
        assertEquals(objects, 4, objects.split("Access:     sensitive, always sensitive, never extractable", -1).length - 1);
        for (String name : Pki.IN_TOKEN) {
            assertTrue(objects, objects.contains("label:      " + name));
        }
        assertFalse(objects, objects.contains("Access:     extractable") || objects.contains(", extractable"));
    }

    @Test
    public void aWrongPinAMissingTokenAndAMissingKeyAreRefusedByName() throws Exception {
        TokenKeys.Config right = token(OTHER_TOKEN, "1111-user-pin");
        Path wrongPin = tmp.getRoot().toPath().resolve("wrong.pin");
        Files.writeString(wrongPin, "2222-not-it\n");
        TokenKeys.Config wrong = new TokenKeys.Config(right.module(), right.token(), wrongPin);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> TokenKeys.open(wrong));
        assertTrue(e.getMessage(), e.getMessage().startsWith("PKCS#11 token " + right.token() + " of " + SoftHsm.MODULE
                + " refused the PIN in " + wrongPin));
        assertTrue(e.getMessage(), e.getMessage().contains("CKR_PIN_INCORRECT"));

        e = assertThrows(java.io.IOException.class, () -> TokenKeys.open(new TokenKeys.Config(right.module(), "no-such-token",
                right.pinFile())));
        assertTrue(e.getMessage(), e.getMessage().startsWith("no token labelled no-such-token in the PKCS#11 module "
                + SoftHsm.MODULE + " (tokens there: "));

        e = assertThrows(java.io.IOException.class, () -> TokenKeys.open(new TokenKeys.Config(Path.of("/nonexistent/module.so"),
                right.token(), right.pinFile())));
        assertEquals("the PKCS#11 module /nonexistent/module.so does not exist", e.getMessage());

        e = assertThrows(java.io.IOException.class, () -> TokenKeys.open(right).key(Pki.IDEVID_CA));
        assertTrue(e.getMessage(), e.getMessage().startsWith("PKCS#11 token " + right.token() + " of " + SoftHsm.MODULE
                + " has no private key labelled idevid-ca"));
    }

    /** An existing PKI's keys moved into a token: the file overwritten and gone, the key used in the token. */
    @Test
    public void aKeyMovedIntoTheTokenLeavesNoFileAndSignsThere() throws Exception {
        Pki pki = new Pki(tmp.newFolder("moved").toPath());
        pki.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:9443", "Example Owner", "https://127.0.0.1:8445");
        Path keyFile = pki.folder().resolve("owner/domain-ca.key");
        assertTrue(Files.exists(keyFile));
        TokenKeys token = TokenKeys.open(token(MOVE_TOKEN, "3333-user-pin"));
        pki.moveToToken(Pki.OWNER, Pki.DOMAIN_CA, token);
        assertFalse(Files.exists(keyFile));
        Pki.Credential ca = pki.load(Pki.OWNER, Pki.DOMAIN_CA);
        assertNull(ca.key().getEncoded());
        X509Certificate issued = dev.avocado.protocol.x509.CertificateBuilder.subject("CN=moved", KeyPairs.ecP256().getPublic())
                .issuer(ca.certificate(), ca.key()).validity(Instant.now(), Instant.now().plusSeconds(60)).endEntity().build();
        issued.verify(ca.certificate().getPublicKey());
        java.io.IOException again = assertThrows(java.io.IOException.class, () -> pki.moveToToken(Pki.OWNER, Pki.DOMAIN_CA, token));
        assertEquals("owner/domain-ca is in PKCS#11 token " + MOVE_TOKEN + " of " + SoftHsm.MODULE + " already", again.getMessage());
        String objects = SoftHsm.listObjects(MOVE_TOKEN, "3333-user-pin");
        assertEquals(objects, 1, objects.split("Private Key Object", -1).length - 1);
        // sensitive and not extractable now; it was a file before, so the token does not say "never extractable"
        assertTrue(objects, objects.contains("Access:     sensitive"));
        assertFalse(objects, objects.contains("never extractable") || objects.contains(", extractable"));
    }
}
