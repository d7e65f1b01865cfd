package dev.avocado.protocol.tls;

import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The JDK's own TLS server (SunJSSE), an implementation independent of the device's BCJSSE, requiring a
 * client certificate under a test CA: for the key services' tests, whose keys sign the CertificateVerify.
 */
public final class JdkTlsServer {

    private JdkTlsServer() {
    }

    /** One handshake of {@code client} with a fresh SunJSSE server on loopback; the client's principal as the server saw it. */
    public static Principal handshake(SSLContext client, String protocol, X509Certificate ca, KeyPair caKey) throws Exception {
        KeyPair serverKey = KeyPairs.ecP256();
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        X509Certificate serverCert = CertificateBuilder.subject("CN=localhost", serverKey.getPublic())
                .issuer(ca, caKey.getPrivate()).validity(now, now.plus(Duration.ofDays(1))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", serverKey.getPrivate(), new char[0], new X509Certificate[] {serverCert, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509", "SunJSSE");
        kmf.init(ks, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
        tmf.init(trust);
        SSLContext serverCtx = SSLContext.getInstance("TLS", "SunJSSE");
        serverCtx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket()) {
            ss.bind(new InetSocketAddress("127.0.0.1", 0));
            ss.setNeedClientAuth(true);
            ss.setEnabledProtocols(new String[] {protocol});
            CompletableFuture<Principal> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.startHandshake();
                    Principal p = s.getSession().getPeerPrincipal();
                    s.getOutputStream().write(1);
                    return p;
                } catch (Exception e) {
                    throw new IllegalStateException("server: " + e, e);
                }
            });
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket()) {
                c.connect(new InetSocketAddress("127.0.0.1", ss.getLocalPort()), 5000);
                c.setEnabledProtocols(new String[] {protocol});
                c.startHandshake();
                c.getInputStream().read();
            }
            return peer.get(30, TimeUnit.SECONDS);
        }
    }
}
