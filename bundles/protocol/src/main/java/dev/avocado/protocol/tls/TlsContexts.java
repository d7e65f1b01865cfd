package dev.avocado.protocol.tls;

import dev.avocado.protocol.x509.Bc;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * TLS contexts on BCJSSE with BouncyCastle doing the cryptography (about six times the JDK's ECDSA
 * and ECDHE speed here). A private key BouncyCastle cannot use (a TPM key) is used through the key's
 * own provider, which BCJSSE takes as its alternate provider for private keys.
 */
public final class TlsContexts {

    private TlsContexts() {
    }

    /** A credential: a private key (possibly a handle of a key held elsewhere) and its chain. */
    public record Credential(PrivateKey key, List<X509Certificate> chain, Provider keyProvider) {

        public Credential(PrivateKey key, List<X509Certificate> chain) {
            this(key, chain, null);
        }
    }

    /**
     * A context that trusts only {@code anchors} for the peer, and authenticates with {@code own} (or
     * with nothing when null).
     */
    public static SSLContext create(List<X509Certificate> anchors, Credential own) throws GeneralSecurityException {
        JcaTlsCryptoProvider crypto = new JcaTlsCryptoProvider().setProvider(Bc.PROVIDER);
        if (own != null && own.keyProvider() != null && own.keyProvider() != Bc.PROVIDER) {
            crypto.setAlternateProvider(own.keyProvider());
        }
        BouncyCastleJsseProvider jsse = new BouncyCastleJsseProvider(false, crypto);
        SSLContext ctx = SSLContext.getInstance("TLS", jsse);
        ctx.init(own == null ? null : new KeyManager[] {new SingleKeyManager(own)}, trust(anchors, jsse), null);
        return ctx;
    }

    private static TrustManager[] trust(List<X509Certificate> anchors, Provider jsse) throws GeneralSecurityException {
        if (anchors == null || anchors.isEmpty()) {
            return new TrustManager[0];
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate a : anchors) {
            store.setCertificateEntry("anchor-" + i++, a);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", jsse);
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    /** One key and chain, offered for every client and server request. */
    private static final class SingleKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "own";
        private final Credential credential;

        SingleKeyManager(Credential credential) {
            this.credential = credential;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return credential.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return credential.key();
        }
    }
}
