package dev.avocado.server;

import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.Signatures;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.logging.Logger;

/**
 * The signature provider of a server process: Conscrypt's BoringSSL when its native library loads (a
 * signature check of a key seen once, what every pledge brings, takes a third of BouncyCastle's time,
 * a signature a fourth: docs/performance.md), BouncyCastle otherwise or when system property
 * {@value #PROPERTY} is {@code bc}. It is added last to the JVM's providers, so that nothing that asks
 * for an algorithm without naming a provider gets it instead of what it got before, and the
 * certificate path validator can name it. A server's private keys are loaded as its key objects
 * ({@link #key}), so that no signature translates a key.
 */
public final class ServerCrypto {

    public static final String PROPERTY = "avocado.server.signatures";
    private static final Logger LOG = Logger.getLogger(ServerCrypto.class.getName());

    private ServerCrypto() {
    }

    /** Chooses the provider once per process (servers call it as they start); answers the one in use. */
    public static synchronized Provider install() {
        if (Signatures.provider() != Bc.PROVIDER) {
            return Signatures.provider();
        }
        String wanted = System.getProperty(PROPERTY, "conscrypt").strip();
        if (wanted.equalsIgnoreCase("bc")) {
            return Bc.PROVIDER;
        }
        if (!wanted.equalsIgnoreCase("conscrypt")) {
            throw new IllegalArgumentException(PROPERTY + "=" + wanted + " names no signature provider: conscrypt or bc");
        }
        Provider conscrypt = ServerTls.conscrypt().orElse(null);
        if (conscrypt == null) {
            LOG.warning("Conscrypt does not load on this machine: signatures stay BouncyCastle's");
            return Bc.PROVIDER;
        }
        if (Security.getProvider(conscrypt.getName()) == null) {
            Security.addProvider(conscrypt);
        }
        Signatures.use(Security.getProvider(conscrypt.getName()));
        return Signatures.provider();
    }

    /** {@code key} as the signature provider's key object (unchanged when it is BouncyCastle's). */
    public static PrivateKey key(PrivateKey key) {
        Provider p = Signatures.provider();
        if (p == Bc.PROVIDER || key.getEncoded() == null) {
            return key;
        }
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), p).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            return key; // the provider does not take this kind of key: it signs with the key as it is
        }
    }
}
