package dev.avocado.protocol.tls;

import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import dev.avocado.protocol.x509.CheckTime;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
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
        return create(own, jsse -> trust(anchors, jsse));
    }

    /**
     * A TLS server whose chain validates to one of {@code anchors} at {@code time} (a device's clock), in
     * the server role: an extendedKeyUsage, when there is one, with serverAuth, as the JSSE check of
     * {@link #create(List, Credential)} wants at the system clock. So another device's LDevID (clientAuth)
     * under the same domain CA serves no renewal. No host name check: the device knows its registrar by
     * its domain.
     */
    public static SSLContext create(List<X509Certificate> anchors, Credential own, CheckTime time) throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {new PeerTrust(chain -> {
            CertPaths.validate(chain[0], List.of(chain), anchors, time.at(chain[0], List.of(chain), anchors));
            List<String> eku = chain[0].getExtendedKeyUsage();
            if (eku != null && !eku.contains(Oids.ID_KP_SERVER_AUTH.getId()) && !eku.contains(ANY_EXTENDED_KEY_USAGE)) {
                throw new CertificateException("the server certificate " + Names.display(chain[0].getSubjectX500Principal())
                        + " is not a TLS server's: its extendedKeyUsage lacks serverAuth");
            }
        }, false)});
    }

    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    /**
     * C.0 without a client certificate: any server is accepted; its chain is the session's peer
     * certificates. One context for every such handshake of the JVM: a BCJSSE context costs more to
     * make than a handshake (it probes every named group and cipher suite).
     */
    public static SSLContext provisional() throws GeneralSecurityException {
        SSLContext c = anonymousProvisional;
        if (c == null) {
            synchronized (TlsContexts.class) {
                if (anonymousProvisional == null) {
                    anonymousProvisional = create(null, jsse -> new TrustManager[] {new PeerTrust(chain -> { }, false)});
                }
                c = anonymousProvisional;
            }
        }
        return c;
    }

    private static volatile SSLContext anonymousProvisional;

    /**
     * C.0, the pledge's provisional TLS: any server is accepted and its chain handed to {@code seen};
     * nothing may be trusted over it until a voucher pins the domain.
     */
    public static SSLContext provisional(Consumer<List<X509Certificate>> seen, Credential own) throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {new PeerTrust(chain -> seen.accept(List.of(chain)), false)});
    }

    /**
     * D.0: a server whose certificate is the pinned domain certificate or chains to it. No host name
     * check: the pledge knows the registrar by its domain, not by a name.
     */
    public static SSLContext pinned(X509Certificate pinned, Credential own) throws GeneralSecurityException {
        return pinned(pinned, own, CheckTime.system());
    }

    /** {@link #pinned(X509Certificate, Credential)}, the chain checked at {@code time} (a device's clock). */
    public static SSLContext pinned(X509Certificate pinned, Credential own, CheckTime time) throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {new PeerTrust(chain -> {
            // the pinned certificate itself is taken as it is: its dates are C.10's to check (PledgeSession)
            if (!chain[0].equals(pinned)) {
                CertPaths.validate(chain[0], List.of(chain), List.of(pinned), time.at(chain[0], List.of(chain), List.of(pinned)));
            }
        }, false)});
    }

    /**
     * O.3 and C.4: a server of the manufacturer (its factory, its MASA) in the manufacturer TLS server
     * role of {@link ManufacturerTrust#checkServer}: issued by an MPR root itself, serverAuth, and
     * named {@code host} in its subjectAltName. An IDevID, which chains to the same root through the
     * IDevID CA, is refused however it is named.
     */
    public static SSLContext manufacturerServer(ManufacturerTrust manufacturer, String host, Credential own)
            throws GeneralSecurityException {
        return manufacturerServer(manufacturer, host, own, CheckTime.system());
    }

    /** {@link #manufacturerServer(ManufacturerTrust, String, Credential)}, checked at {@code time} (a device's clock). */
    public static SSLContext manufacturerServer(ManufacturerTrust manufacturer, String host, Credential own, CheckTime time)
            throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {new PeerTrust(chain -> {
            try {
                manufacturer.checkServer(List.of(chain), host, time.at(List.of(chain[0])));
            } catch (ProfileException e) {
                throw new CertificateException(e.getMessage(), e);
            }
        }, false)});
    }

    /**
     * A server that asks for a client certificate and takes any the client proves it holds: the
     * application decides (a registrar checks IDevIDs against the manufacturers it knows and answers
     * with a reason instead of a failed handshake).
     */
    public static SSLContext anyClient(Credential own) throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {new PeerTrust(chain -> { }, true)});
    }

    /**
     * The trust of {@link #anyClient}, for a server on another TLS stack: any client certificate whose
     * key the client proves it holds; the application decides.
     */
    public static X509ExtendedTrustManager anyClientTrust() {
        return new PeerTrust(chain -> { }, true);
    }

    /** The trust of a server that asks for no client certificate: any certificate it is given is refused. */
    public static X509ExtendedTrustManager noPeerTrust() {
        return new PeerTrust(chain -> {
            throw new CertificateException("this context checks no peer");
        }, true);
    }

    /** The one key and chain of {@code own}, offered for every request, for a server on another TLS stack. */
    public static X509ExtendedKeyManager keyManager(Credential own) {
        return new SingleKeyManager(own);
    }

    /** A BCJSSE context (BouncyCastle's cryptography) with {@code own} and {@code trust}. */
    public static SSLContext create(Credential own, X509ExtendedTrustManager trust) throws GeneralSecurityException {
        return create(own, jsse -> new TrustManager[] {trust});
    }

    /** Makes the trust managers, given the JSSE provider. */
    private interface TrustFactory {
        TrustManager[] make(Provider jsse) throws GeneralSecurityException;
    }

    private static SSLContext create(Credential own, TrustFactory trust) throws GeneralSecurityException {
        JcaTlsCryptoProvider crypto = new JcaTlsCryptoProvider().setProvider(Bc.PROVIDER);
        if (own != null && own.keyProvider() != null && own.keyProvider() != Bc.PROVIDER) {
            crypto.setAlternateProvider(own.keyProvider());
        }
        BouncyCastleJsseProvider jsse = new BouncyCastleJsseProvider(false, crypto);
        SSLContext ctx = SSLContext.getInstance("TLS", jsse);
        ctx.init(own == null ? null : new KeyManager[] {new SingleKeyManager(own)}, trust.make(jsse), null);
        return ctx;
    }

    /** A check of the peer's chain, by the application's rule. */
    private interface ChainCheck {
        void check(X509Certificate[] chain) throws GeneralSecurityException;
    }

    /**
     * Trust by a rule of ours. The handshake still proves the peer holds the key of the first
     * certificate; the 3-argument methods do not add the JDK's host name check.
     */
    private static final class PeerTrust extends X509ExtendedTrustManager {
        private final ChainCheck rule;
        private final boolean clients;

        PeerTrust(ChainCheck rule, boolean clients) {
            this.rule = rule;
            this.clients = clients;
        }

        private void check(X509Certificate[] chain, boolean client) throws CertificateException {
            if (client != clients) {
                throw new CertificateException(client ? "this context does not take client certificates"
                        : "this context does not check servers");
            }
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the peer sent no certificate");
            }
            try {
                rule.check(chain);
            } catch (CertificateException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new CertificateException(e.getMessage(), e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, true);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, false);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, true);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, false);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, true);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, false);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
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
