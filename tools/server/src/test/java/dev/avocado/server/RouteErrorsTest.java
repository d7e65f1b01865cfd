package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The one mapping of a route's failure to its answer, over real TLS: a refusal its status, reason and
 * Retry-After; one decided in a transaction the same; a database failure 503 with Retry-After; anything
 * else 500 without its details.
 */
public class RouteErrorsTest {

    private static HttpsServer server;
    private static HttpClient http;

    @BeforeClass
    public static void start() throws Exception {
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "CN=test", "127.0.0.1", Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        server = HttpsServer.builder("test").bind("127.0.0.1", 0)
                .tls(TlsContexts.anyClient(new TlsContexts.Credential(key.getPrivate(), List.of(cert))), HttpsServer.ClientAuth.NONE)
                .unavailable("the test database", Duration.ofSeconds(3))
                .route("GET", "/refused", "T.1", ex -> {
                    throw new Rejection(409, "serial X is taken");
                })
                .route("GET", "/later", "T.2", ex -> {
                    throw new Rejection(503, "the MASA cannot be reached", Duration.ofSeconds(7)).at("C.4");
                })
                .route("GET", "/in-transaction", "T.3", ex -> {
                    throw new Rejection.InTransaction(new Rejection(403, "decided in the transaction"));
                })
                .route("GET", "/database", "T.4", ex -> {
                    throw new SQLException("connection refused: secret-host:5432");
                })
                .route("GET", "/bug", "T.5", ex -> {
                    throw new IllegalStateException("a detail for the log only");
                })
                .start();
        http = HttpClient.newBuilder().sslContext(TlsContexts.pinned(cert, null)).build();
    }

    @AfterClass
    public static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void eachFailureBecomesItsAnswer() throws Exception {
        HttpResponse<String> refused = get("/refused");
        assertEquals(409, refused.statusCode());
        assertEquals("serial X is taken\n", refused.body());
        assertFalse(refused.headers().firstValue("Retry-After").isPresent());
        // the route's own step says nothing; a refusal at another step names it
        assertFalse(refused.headers().firstValue(dev.avocado.protocol.brski.Brski.STEP_HEADER).isPresent());

        HttpResponse<String> later = get("/later");
        assertEquals(503, later.statusCode());
        assertEquals("7", later.headers().firstValue("Retry-After").orElse(null));
        assertEquals("C.4", later.headers().firstValue(dev.avocado.protocol.brski.Brski.STEP_HEADER).orElse(null));

        HttpResponse<String> inTransaction = get("/in-transaction");
        assertEquals(403, inTransaction.statusCode());
        assertEquals("decided in the transaction\n", inTransaction.body());

        HttpResponse<String> database = get("/database");
        assertEquals(503, database.statusCode());
        assertEquals("the test database is not available; try again\n", database.body());
        assertEquals("3", database.headers().firstValue("Retry-After").orElse(null));

        HttpResponse<String> bug = get("/bug");
        assertEquals(500, bug.statusCode());
        assertTrue(bug.body(), bug.body().contains("internal error") && !bug.body().contains("a detail for the log"));
    }
}
