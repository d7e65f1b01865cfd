package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/**
 * Every server TLS stack behind the one seam, over real sockets with the device's BCJSSE as client:
 * the client's certificate reaches the route on each, a server that takes no client certificates does
 * not ask for one, and a stack's name that is none says so.
 */
public class ServerTlsTest {

    private static final Instant NOW = Instant.now();

    private static String clientSubject(ServerTls stack) throws Exception {
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "CN=server", "127.0.0.1", NOW.minusSeconds(60), NOW.plusSeconds(3600));
        KeyPair clientKey = KeyPairs.ecP256();
        X509Certificate client = CertificateBuilder.subject("CN=client " + stack, clientKey.getPublic())
                .selfSigned(clientKey.getPrivate()).validity(NOW.minusSeconds(60), NOW.plusSeconds(3600)).endEntity()
                .keyUsage(KeyUsage.digitalSignature).build();
        try (HttpsServer server = HttpsServer.builder("test").bind("127.0.0.1", 0)
                .tls(stack.anyClient(new TlsContexts.Credential(ServerCrypto.key(key.getPrivate()), List.of(cert))),
                        HttpsServer.ClientAuth.WANT)
                .route("GET", "/who", ex -> HttpsServer.Reply.text(200, ex.clientChain().isEmpty() ? "nobody"
                        : ex.clientChain().get(0).getSubjectX500Principal().getName()))
                .start()) {
            HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.pinned(cert,
                    new TlsContexts.Credential(clientKey.getPrivate(), List.of(client)))).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/who"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            return new String(r.body(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    public void theClientCertificateReachesTheRouteOnEveryStack() throws Exception {
        ServerCrypto.install();
        for (ServerTls stack : ServerTls.values()) {
            assertEquals(stack.name(), "CN=client " + stack, clientSubject(stack));
        }
    }

    @Test
    public void aServerThatTakesNoClientCertificateAsksForNone() throws Exception {
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "CN=server", "127.0.0.1", NOW.minusSeconds(60), NOW.plusSeconds(3600));
        KeyPair clientKey = KeyPairs.ecP256();
        X509Certificate client = CertificateBuilder.subject("CN=client", clientKey.getPublic()).selfSigned(clientKey.getPrivate())
                .validity(NOW.minusSeconds(60), NOW.plusSeconds(3600)).endEntity().keyUsage(KeyUsage.digitalSignature).build();
        for (ServerTls stack : ServerTls.values()) {
            try (HttpsServer server = HttpsServer.builder("test").bind("127.0.0.1", 0)
                    .tls(stack.noClient(new TlsContexts.Credential(key.getPrivate(), List.of(cert))), HttpsServer.ClientAuth.NONE)
                    .route("GET", "/who", ex -> HttpsServer.Reply.text(200, ex.clientChain().isEmpty() ? "nobody" : "somebody"))
                    .start()) {
                HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.pinned(cert,
                        new TlsContexts.Credential(clientKey.getPrivate(), List.of(client)))).build();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port()
                        + "/who")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(stack.name(), "nobody", r.body().strip());
            }
        }
    }

    @Test
    public void theDefaultIsConscryptWhereItLoads() {
        org.junit.Assume.assumeTrue("-D" + ServerTls.PROPERTY + " chooses the stack here",
                System.getProperty(ServerTls.PROPERTY) == null);
        assertTrue(ServerTls.conscrypt().isPresent()); // x86_64 and aarch64 Linux: the machines this runs on
        assertEquals(ServerTls.CONSCRYPT, ServerTls.configured());
    }

    @Test
    public void aStackThatIsNoneIsNamedInTheRefusal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerTls.named("openssl"));
        assertTrue(e.getMessage(), e.getMessage().contains("avocado.server.tls=openssl names no TLS stack"));
    }
}
