package dev.avocado.server;

import dev.avocado.protocol.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Server keys in a PKCS#11 token (an HSM; SoftHSM2 in tests), through the JDK's SunPKCS11 provider: made
 * in the token as sensitive, never-extractable token objects, found again by label (the key's CKA_ID and
 * its certificate's label), and used where they are (SunPKCS11 signs). The private key never exists
 * outside the token. One provider per token and process, added to the JVM's providers so that a
 * signature with one of its keys finds it ({@link dev.avocado.protocol.x509.Signatures#signing}).
 */
public final class TokenKeys {

    /**
     * A token: its module, its label, and the file with its user PIN (owner-only; never an argument).
     * Kept as a party's {@code pkcs11.conf} in the PKI folder.
     */
    public record Config(Path module, String token, Path pinFile) {

        public static Config read(Path file) throws IOException {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            for (String k : new String[] {"module", "token", "pin-file"}) {
                if (p.getProperty(k, "").isBlank()) {
                    throw new IOException(file + ": no " + k + " (a PKCS#11 token's module, token and pin-file)");
                }
            }
            return new Config(Path.of(p.getProperty("module")), p.getProperty("token"), Path.of(p.getProperty("pin-file")));
        }

        public void write(Path file) throws IOException {
            Properties p = new Properties();
            p.setProperty("module", module.toString());
            p.setProperty("token", token);
            p.setProperty("pin-file", pinFile.toAbsolutePath().normalize().toString());
            StringWriter w = new StringWriter();
            p.store(w, "the PKCS#11 token that holds this party's keys");
            AtomicFiles.write(file, w.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
        }

        public String describe() {
            return "PKCS#11 token " + token + " of " + module;
        }
    }

    private static final Map<Config, TokenKeys> OPEN = new HashMap<>();

    private final Config config;
    private final Provider provider;
    private final KeyStore store;

    private TokenKeys(Config config, Provider provider, KeyStore store) {
        this.config = config;
        this.provider = provider;
        this.store = store;
    }

    /** The token, logged in with its PIN; a missing module or token, or a wrong PIN, is an error that says which. */
    public static synchronized TokenKeys open(Config config) throws IOException {
        TokenKeys open = OPEN.get(config);
        if (open != null) {
            return open;
        }
        if (!Files.isRegularFile(config.module())) {
            throw new IOException("the PKCS#11 module " + config.module() + " does not exist");
        }
        char[] pin = pin(config);
        long slot = Pkcs11Slots.find(config.module(), config.token());
        String name = "avocado-" + config.token().replaceAll("[^A-Za-z0-9_-]", "_");
        // made in the token as token objects that never leave it; an imported key is made so as well
        String cfg = "--name=" + name + "\nlibrary=" + config.module() + "\nslot=" + slot + "\n"
                + "attributes(*, CKO_PRIVATE_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_PRIVATE = true\n"
                + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
        Provider p;
        KeyStore ks;
        try {
            p = Security.getProvider("SunPKCS11").configure(cfg);
            ks = KeyStore.getInstance("PKCS11", p);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(config.describe() + " cannot be opened through SunPKCS11: " + e.getMessage(), e);
        }
        try {
            ks.load(null, pin);
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException(config.describe() + " refused the PIN in " + config.pinFile() + ": " + rootCause(e), e);
        } finally {
            java.util.Arrays.fill(pin, '\0');
        }
        if (Security.getProvider(p.getName()) == null) {
            Security.addProvider(p);
        }
        TokenKeys t = new TokenKeys(config, p, ks);
        OPEN.put(config, t);
        return t;
    }

    private static char[] pin(Config config) throws IOException {
        String text;
        try {
            text = Files.readString(config.pinFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException("the PIN file " + config.pinFile() + " of " + config.describe() + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (text.isEmpty()) {
            throw new IOException("the PIN file " + config.pinFile() + " of " + config.describe() + " is empty");
        }
        return text.toCharArray();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public Config config() {
        return config;
    }

    public Provider provider() {
        return provider;
    }

    /** A new EC P-256 key pair made in the token; the private key is a token object, to be stored under a label. */
    public KeyPair generate() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(config.describe() + " cannot make an EC P-256 key: " + e.getMessage(), e);
        }
    }

    /** Keeps a private key (made here, or imported: then made non-extractable here) under a label, with its certificate. */
    public synchronized void store(String label, PrivateKey key, X509Certificate certificate) throws IOException {
        try {
            if (store.containsAlias(label)) {
                throw new IOException(config.describe() + " already holds a key labelled " + label + "; nothing was replaced");
            }
            store.setKeyEntry(label, key, null, new Certificate[] {certificate});
        } catch (java.security.KeyStoreException e) {
            throw new IOException(config.describe() + " cannot keep the key " + label + ": " + e.getMessage(), e);
        }
    }

    /** The private key with this label; an error that names the token and the label when there is none. */
    public synchronized PrivateKey key(String label) throws IOException {
        Key k;
        try {
            k = store.getKey(label, null);
        } catch (GeneralSecurityException e) {
            throw new IOException(config.describe() + " cannot give the key " + label + ": " + e.getMessage(), e);
        }
        if (!(k instanceof PrivateKey pk)) {
            throw new IOException(config.describe() + " has no private key labelled " + label
                    + " (pkcs11-tool --module " + config.module() + " --token-label " + config.token()
                    + " --login --list-objects shows what it has)");
        }
        return pk;
    }
}
