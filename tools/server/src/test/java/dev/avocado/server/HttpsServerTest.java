package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

/**
 * A body over the limit is refused with a 413 the client can read. The server answers before it has
 * the whole body; if it closed at once, a client still sending (the JDK's HttpClient does, as most do)
 * would see a reset instead of the answer, and the refusal would name nothing.
 */
public class HttpsServerTest {

    private static final Instant NOW = Instant.now();

    private static void refusesOversizedBodies(ServerTls stack, boolean chunked, String reason) throws Exception {
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "CN=server", "127.0.0.1", NOW.minusSeconds(60), NOW.plusSeconds(3600));
        try (HttpsServer server = HttpsServer.builder("test").bind("127.0.0.1", 0).maxBody(32 * 1024)
                .tls(stack.noClient(new TlsContexts.Credential(ServerCrypto.key(key.getPrivate()), List.of(cert))),
                        HttpsServer.ClientAuth.NONE)
                .route("POST", "/in", ex -> HttpsServer.Reply.text(200, ex.body().length + " bytes"))
                .start()) {
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/in");
            for (int i = 0; i < 20; i++) {
                HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.pinned(cert, null))
                        .connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                        .POST(chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                                new byte[64 * 1024])) : HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(stack + " try " + i + ": " + r.body(), 413, r.statusCode());
                assertTrue(r.body(), r.body().contains(reason));
                // the connection that read the whole body stays usable
                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100])).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(stack + " try " + i, "100 bytes", ok.body().strip());
            }
        }
    }

    @Test
    public void aDeclaredBodyOverTheLimitGetsItsRefusalOnEveryStack() throws Exception {
        ServerCrypto.install();
        for (ServerTls stack : ServerTls.values()) {
            refusesOversizedBodies(stack, false, "request body of 65536 bytes is over the limit of 32768");
        }
    }

    @Test
    public void aChunkedBodyOverTheLimitGetsItsRefusalOnEveryStack() throws Exception {
        ServerCrypto.install();
        for (ServerTls stack : ServerTls.values()) {
            refusesOversizedBodies(stack, true, "request body is over the limit of 32768 bytes");
        }
    }
}
