package dev.avocado.pkcs11.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.tpm.testing.Swtpm;
import dev.avocado.tpm.TpmResourceManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The PKCS#11 key service on tpm2-pkcs11 (Debian libtpm2-pkcs11-1) over a real software TPM behind
 * tpm2-abrmd: the token is initialized by the key service, its keys are TPM objects. tpm2-pkcs11 reads
 * its store, its TCTI and the D-Bus address from the environment, which the module's Surefire
 * configuration sets for this JVM; this class starts the bus and tabrmd where they say.
 */
public class Tpm2Pkcs11KeysTest extends TokenKeysContract {

    static final Path MODULE = Path.of("/usr/lib/" + (System.getProperty("os.arch").equals("aarch64")
            ? "aarch64-linux-gnu" : "x86_64-linux-gnu") + "/libtpm2_pkcs11.so.1");
    private static Swtpm swtpm;
    private static TpmResourceManager tabrmd;
    private static Path pinFile;
    private static Pkcs11Keys keys;
    /** tpm2_readpublic of the storage root key the ESYS stack made, before the token existed. */
    private static String srkBefore;

    @BeforeClass
    public static void start() throws Exception {
        Path store = Path.of(System.getenv("TPM2_PKCS11_STORE"));
        deleteTree(store);
        Files.createDirectories(store);
        swtpm = Swtpm.start();
        startResourceManager();
        // as on a device: the ESYS key service made the storage root key first (O.1), then the token comes
        try (dev.avocado.tpm.Tpm tpm = dev.avocado.tpm.Tpm.open(tabrmd.tcti())) {
            tpm.ensureStorageRoot(0x81000001);
        }
        srkBefore = run(tabrmd.environment(), "tpm2_readpublic", "-c", "0x81000001").output();
        pinFile = store.resolve("keys/pkcs11-avocado.pin");
        keys = new Pkcs11Keys(MODULE, "avocado", pinFile, true);
        keys.check();
    }

    @AfterClass
    public static void stop() throws Exception {
        keys.close();
        tabrmd.close();
        swtpm.close();
    }

    @Test
    public void theTokenSharesTheEsysStacksStorageRootAndPersistsNothingOfItsOwn() throws Exception {
        keys.destroy("rooted");
        keys.create("rooted", KeyAlgorithm.EC_P256);
        Map<String, String> env = new HashMap<>(tabrmd.environment());
        Run handles = run(env, "tpm2_getcap", "handles-persistent");
        assertEquals(handles.output(), 0, handles.code());
        assertEquals("the token's keys are loaded per use under the one storage root key, never persistent",
                "- 0x81000001", handles.output().strip());
        assertEquals("the storage root key is the one the ESYS stack made", srkBefore,
                run(env, "tpm2_readpublic", "-c", "0x81000001").output());
    }

    @Test
    public void aTpmThatIsGoneIsAClearErrorNamingTheToken() throws Exception {
        keys.destroy("gone");
        keys.create("gone", KeyAlgorithm.EC_P256);
        swtpm.kill();
        try {
            KeyServiceException e = assertThrows(KeyServiceException.class,
                    () -> keys.sign("gone", SignatureScheme.ECDSA_SHA256, new byte[32]));
            assertTrue(e.getMessage(), e.getMessage().startsWith("PKCS#11 token avocado of " + MODULE + ": cannot "));
            assertTrue(e.getMessage(), e.getMessage().endsWith("(the connection to the token is dropped; the next call "
                    + "opens it afresh)"));
        } finally {
            // the TPM and its resource manager come back: the same key service loads the module afresh
            tabrmd.close();
            swtpm.restart();
            startResourceManager();
        }
        assertTrue("the key survives the TPM's restart", keys.find("gone").isPresent());
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(new byte[] {9});
        java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
        v.initVerify(keys.find("gone").orElseThrow().publicKey());
        v.update(new byte[] {9});
        assertTrue("the same key signs after the restart", v.verify(keys.sign("gone", SignatureScheme.ECDSA_SHA256, digest)));
    }

    private static void startResourceManager() throws Exception {
        String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS").substring("unix:path=".length());
        String tcti = System.getenv("TPM2_PKCS11_TCTI");
        tabrmd = TpmResourceManager.start(swtpm.tcti(), Path.of(bus), tcti.substring(tcti.indexOf("bus_name=") + "bus_name=".length()));
        assertEquals("the Surefire environment names this resource manager", tabrmd.tcti(), tcti);
    }

    /**
     * P-256 only: tpm2-pkcs11 1.9 signs RSA-PSS only over the whole message (CKM_SHA256_RSA_PKCS_PSS), not
     * over a digest (CKM_RSA_PKCS_PSS), so an RSA key of this token cannot sign a TLS 1.3 CertificateVerify
     * through a provider that hands the token digests. The LDevID is P-256.
     */
    @Override
    protected java.util.List<KeyAlgorithm> tlsAlgorithms() {
        return java.util.List.of(KeyAlgorithm.EC_P256);
    }

    @Override
    protected Pkcs11Keys keys() {
        return keys;
    }

    @Override
    protected Pkcs11Keys reopen() {
        return new Pkcs11Keys(MODULE, "avocado", pinFile, false);
    }

    @Override
    protected void restartKeys() {
        keys.close();
        keys = new Pkcs11Keys(MODULE, "avocado", pinFile, false);
    }

    @Override
    protected Path module() {
        return MODULE;
    }

    @Override
    protected Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(tabrmd.environment());
        env.put("TPM2_PKCS11_STORE", System.getenv("TPM2_PKCS11_STORE"));
        return env;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
