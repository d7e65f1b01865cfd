package dev.avocado.protocol.brski;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/**
 * C.0 against the JDK's own TLS server (SunJSSE, not the device's stack): the probe learns the
 * registrar's certificate without offering the IDevID, and a registrar that demands a client
 * certificate before it finishes its handshake (TLS 1.2, need) still gets one, the IDevID.
 */
public class PledgeProbeTest {

    private static final Instant NOW = Instant.now();

    /** What a SunJSSE server saw of each client: the client certificate's subject, or null for none. */
    private static List<String> serve(SSLServerSocket server, int connections) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(10_000);
                try {
                    s.startHandshake();
                    seen.add(dev.avocado.protocol.x509.Names.display(((X509Certificate) s.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal()));
                } catch (SSLPeerUnverifiedException e) {
                    seen.add(null);
                } catch (javax.net.ssl.SSLHandshakeException e) {
                    seen.add("refused: " + e.getMessage());
                }
            }
        }
        return seen;
    }

    private static List<String> probe(String protocol, boolean need, int connections, X509Certificate[] registrarSeen)
            throws Exception {
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "O=Owner,CN=127.0.0.1", "127.0.0.1", NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(1)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("registrar", key.getPrivate(), new char[0], new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509", "SunJSSE");
        kmf.init(ks, new char[0]);
        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        sun.init(kmf.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        KeyPair idevidKey = KeyPairs.ecP256();
        X509Certificate idevid = CertificateBuilder.subject("SERIALNUMBER=PROBE-1,CN=pledge", idevidKey.getPublic())
                .selfSigned(idevidKey.getPrivate()).validity(NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        try (SSLServerSocket server = (SSLServerSocket) sun.getServerSocketFactory().createServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.setEnabledProtocols(new String[] {protocol});
            if (need) {
                server.setNeedClientAuth(true);
            } else {
                server.setWantClientAuth(true);
            }
            java.util.concurrent.CompletableFuture<List<String>> seen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return serve(server, connections);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            PledgeSession session = new PledgeSession(URI.create("https://127.0.0.1:" + server.getLocalPort()),
                    new TlsContexts.Credential(idevidKey.getPrivate(), List.of(idevid)), "PROBE-1",
                    ManufacturerTrust.of(List.of(cert)), Duration.ofSeconds(5), Duration.ofSeconds(10));
            registrarSeen[0] = session.connect();
            assertEquals(cert, registrarSeen[0]);
            return seen.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    public void theProbeLearnsTheRegistrarWithoutOfferingTheIdevid() throws Exception {
        List<String> seen = probe("TLSv1.3", false, 1, new X509Certificate[1]);
        assertEquals(1, seen.size());
        assertNull(seen.get(0));
    }

    @Test
    public void aRegistrarThatDemandsAClientCertificateGetsTheIdevid() throws Exception {
        List<String> seen = probe("TLSv1.2", true, 2, new X509Certificate[1]);
        assertEquals(2, seen.size());
        // the first handshake offered no certificate and was refused; the second offered the IDevID
        assertEquals("refused: ", seen.get(0).substring(0, Math.min(9, seen.get(0).length())));
        assertEquals("CN=pledge,serialNumber=PROBE-1", seen.get(1));
    }
}
