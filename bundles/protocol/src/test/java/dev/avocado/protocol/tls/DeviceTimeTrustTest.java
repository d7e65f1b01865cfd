package dev.avocado.protocol.tls;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/**
 * Renewal's TLS at the device's time ({@link TlsContexts#create(List, TlsContexts.Credential, CheckTime)}),
 * over a real handshake: the registrar's TLS certificate under the domain CA is taken, also when it was
 * issued after the device's clock; another device's LDevID (clientAuth) under the same CA, serving as
 * the registrar, is refused for its role.
 */
public class DeviceTimeTrustTest {

    private static final Instant NOW = Instant.now();
    private static final KeyPair CA_KEY = KeyPairs.ecP256();
    private static final X509Certificate CA = CertificateBuilder.subject("CN=Domain CA", CA_KEY.getPublic())
            .selfSigned(CA_KEY.getPrivate()).validity(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650))).ca(0)
            .keyUsage(KeyUsage.keyCertSign).build();

    private static TlsContexts.Credential server(String cn, KeyPurposeId purpose) {
        KeyPair k = KeyPairs.ecP256();
        X509Certificate cert = CertificateBuilder.subject("CN=" + cn, k.getPublic()).issuer(CA, CA_KEY.getPrivate())
                .validity(NOW.minusSeconds(60), NOW.plus(Duration.ofDays(365))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(purpose).build();
        return new TlsContexts.Credential(k.getPrivate(), List.of(cert, CA));
    }

    /** One handshake of the client context with a server holding {@code credential}. */
    private static void handshake(TlsContexts.Credential credential, SSLContext client) throws Exception {
        SSLContext serverContext = TlsContexts.create(List.of(), credential);
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (IOException e) {
                    // the client refused: its side tells why
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                s.startHandshake();
            } finally {
                served.get();
            }
        }
    }

    @Test
    public void theRegistrarsCertificateIsTakenEvenWhenIssuedAfterTheDevicesClock() throws Exception {
        Instant behind = NOW.minus(Duration.ofDays(700));
        handshake(server("registrar", KeyPurposeId.id_kp_serverAuth),
                TlsContexts.create(List.of(CA), null, CheckTime.atLeast(() -> behind)));
    }

    @Test
    public void anotherDevicesLdevidUnderTheSameCaServesNoRenewal() {
        IOException e = assertThrows(IOException.class, () -> handshake(server("AVO-OTHER", KeyPurposeId.id_kp_clientAuth),
                TlsContexts.create(List.of(CA), null, CheckTime.atLeast(Instant::now))));
        String why = dev.avocado.protocol.http.Failures.describe(e);
        assertTrue(why, why.contains("lacks serverAuth"));
    }
}
