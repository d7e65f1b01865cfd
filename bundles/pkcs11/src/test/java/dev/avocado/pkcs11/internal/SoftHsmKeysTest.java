package dev.avocado.pkcs11.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * The PKCS#11 key service on SoftHSM2 (Debian softhsm2), a software token: a fresh token folder, the
 * token initialized by the key service itself on its first use. SOFTHSM2_CONF is set for this JVM by
 * the module's Surefire configuration, and this class writes the file it names.
 */
public class SoftHsmKeysTest extends TokenKeysContract {

    static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static Path pinFile;
    private static Pkcs11Keys keys;

    @BeforeClass
    public static void start() throws Exception {
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF"));
        Path tokens = conf.resolveSibling("tokens");
        Tpm2Pkcs11KeysTest.deleteTree(conf.getParent());
        Files.createDirectories(tokens);
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        pinFile = conf.resolveSibling("keys/pkcs11-avocado.pin");
        keys = new Pkcs11Keys(MODULE, "avocado", pinFile, true);
        keys.check();
    }

    @AfterClass
    public static void stop() {
        keys.close();
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
        return Map.of("SOFTHSM2_CONF", System.getenv("SOFTHSM2_CONF"));
    }
}
