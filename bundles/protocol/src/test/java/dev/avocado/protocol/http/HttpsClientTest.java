package dev.avocado.protocol.http;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The client's bounds against a real HTTPS server that misbehaves on purpose: an answer that never
 * ends is cut off at the request timeout, a body declared too long is refused before it is read, and
 * an exchange starts no thread of its own.
 */
public class HttpsClientTest {

    private static HttpsServer server;
    private static X509Certificate cert;
    private static URI base;

    @BeforeClass
    public static void start() throws Exception {
        Instant now = Instant.now();
        KeyPair key = KeyPairs.ecP256();
        cert = MprProfile.issue(key, "CN=server", "127.0.0.1", now.minusSeconds(60), now.plusSeconds(3600));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsContexts.create(
                new TlsContexts.Credential(key.getPrivate(), List.of(cert)), TlsContexts.noPeerTrust())));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok", ex -> {
            byte[] b = "hello".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.createContext("/stalls", ex -> {
            ex.sendResponseHeaders(200, 100);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[10]);
            out.flush();
            sleep(15_000);
            ex.close();
        });
        server.createContext("/long", ex -> {
            ex.sendResponseHeaders(200, 4096);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[4096]);
            }
        });
        server.start();
        base = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterClass
    public static void stop() {
        server.stop(0);
    }

    private static HttpsClient client(Duration timeout, int maxBody) throws Exception {
        return new HttpsClient(TlsContexts.pinned(cert, null), Duration.ofSeconds(5), timeout, maxBody);
    }

    @Test
    public void aWholeAnswerIsReturned() throws Exception {
        HttpsClient.Response r = client(Duration.ofSeconds(10), 1024).get(base.resolve("/ok"), "text/plain");
        assertEquals(200, r.status());
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), r.body());
    }

    @Test
    public void aBodyThatNeverEndsIsCutOffAtTheRequestTimeout() throws Exception {
        HttpsClient http = client(Duration.ofSeconds(1), 1024);
        long t = System.nanoTime();
        try {
            http.get(base.resolve("/stalls"), "text/plain");
            fail("an answer whose body stalls was taken");
        } catch (HttpTimeoutException e) {
            assertEquals("no whole answer from " + base.resolve("/stalls") + " within 1 s", e.getMessage());
        }
        // the server stalls for 15 s; the client gave up at its deadline, long before
        assertTrue((System.nanoTime() - t) / 1_000_000 + " ms", System.nanoTime() - t < 10_000_000_000L);
    }

    @Test
    public void aBodyDeclaredLongerThanTakenIsRefused() throws Exception {
        try {
            client(Duration.ofSeconds(10), 1024).get(base.resolve("/long"), "text/plain");
            fail("a body over the limit was taken");
        } catch (IOException e) {
            assertEquals("the answer declares 4096 bytes, more than the 1024 taken", e.getMessage());
        }
    }

    @Test
    public void anExchangeStartsNoThreadOfItsOwn() throws Exception {
        HttpsClient http = client(Duration.ofSeconds(10), 1024);
        http.get(base.resolve("/ok"), "text/plain");
        long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        int requests = 40;
        for (int i = 0; i < requests; i++) {
            assertEquals(200, http.get(base.resolve("/ok"), "text/plain").status());
        }
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
        // the server's pool and the client's own may grow by a few; a thread per answer would be 40 or more
        assertTrue("threads started for " + requests + " requests: " + started, started < requests / 2);
    }

    /**
     * A client nobody holds any more is collected, and with it the JDK's HttpClient, whose selector
     * thread then closes its connections. A body handler that held the client made it reachable from
     * that thread, and every connection stayed open until the server's idle timeout (found by the soak:
     * three times the registrar's open files).
     */
    @Test
    public void aClientNobodyHoldsIsCollected() throws Exception {
        HttpsClient http = client(Duration.ofSeconds(10), 1024);
        assertEquals(200, http.get(base.resolve("/ok"), "text/plain").status());
        java.lang.ref.WeakReference<HttpsClient> ref = new java.lang.ref.WeakReference<>(http);
        http = null;
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(100);
        }
        assertTrue("the client is still reachable after it was dropped", ref.get() == null);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
