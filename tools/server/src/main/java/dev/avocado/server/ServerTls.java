package dev.avocado.server;

import dev.avocado.protocol.tls.TlsContexts;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS stack a server runs on. Trust is decided by the same trust managers on every stack
 * ({@link TlsContexts}); only the handshake's implementation differs. Conscrypt (BoringSSL) serves a
 * handshake in a third of BCJSSE's time and a sixth of SunJSSE's on Java 17 (docs/performance.md, "Server
 * TLS stacks"), so it is the servers' stack wherever its native library loads; BCJSSE otherwise. The
 * device always uses BCJSSE, which signs with a TPM key through its provider.
 *
 * <p>System property {@value #PROPERTY} names another: {@code conscrypt}, {@code bcjsse} or {@code sunjsse}.
 */
public enum ServerTls {
    CONSCRYPT, BCJSSE, SUNJSSE;

    public static final String PROPERTY = "avocado.server.tls";

    /** The stack named by {@value #PROPERTY}, or the fastest that is available. */
    public static ServerTls configured() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            return ConscryptHolder.AVAILABLE ? CONSCRYPT : BCJSSE;
        }
        return named(name);
    }

    /** The stack of this name (case-insensitive). */
    public static ServerTls named(String name) {
        for (ServerTls s : values()) {
            if (s.name().equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException(PROPERTY + "=" + name + " names no TLS stack: conscrypt, bcjsse or sunjsse");
    }

    /** A server that asks for client certificates and takes any the client proves it holds (the application decides). */
    public SSLContext anyClient(TlsContexts.Credential own) throws GeneralSecurityException {
        return context(own, TlsContexts.anyClientTrust());
    }

    /** A server that asks for no client certificate. */
    public SSLContext noClient(TlsContexts.Credential own) throws GeneralSecurityException {
        return context(own, TlsContexts.noPeerTrust());
    }

    /** A server context on this stack with {@code own} as its credential and {@code trust} for clients. */
    public SSLContext context(TlsContexts.Credential own, X509ExtendedTrustManager trust) throws GeneralSecurityException {
        if (this == BCJSSE) {
            return TlsContexts.create(own, trust);
        }
        SSLContext ctx;
        if (this == CONSCRYPT) {
            if (!ConscryptHolder.AVAILABLE) {
                throw new GeneralSecurityException("the Conscrypt TLS stack is not available on this machine ("
                        + ConscryptHolder.WHY + "); choose -D" + PROPERTY + "=bcjsse");
            }
            ctx = SSLContext.getInstance("TLS", ConscryptHolder.PROVIDER);
        } else {
            ctx = SSLContext.getInstance("TLS", "SunJSSE");
        }
        ctx.init(new KeyManager[] {TlsContexts.keyManager(own)}, new TrustManager[] {trust}, null);
        return ctx;
    }

    /** Conscrypt's JCA provider (BoringSSL's cryptography), when its native library loads: for benchmarks' bounds. */
    public static java.util.Optional<Provider> conscrypt() {
        return java.util.Optional.ofNullable(ConscryptHolder.PROVIDER);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Conscrypt's provider, made once; its native library is loaded on first use. */
    private static final class ConscryptHolder {
        static final Provider PROVIDER;
        static final boolean AVAILABLE;
        static final String WHY;

        static {
            Provider p = null;
            String why = null;
            try {
                if (org.conscrypt.Conscrypt.isAvailable()) {
                    p = org.conscrypt.Conscrypt.newProvider();
                } else {
                    why = "its native library did not load";
                }
            } catch (LinkageError | RuntimeException e) {
                why = e.toString();
            }
            PROVIDER = p;
            AVAILABLE = p != null;
            WHY = why;
        }
    }
}
