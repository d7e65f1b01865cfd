package dev.avocado.protocol.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * One HTTPS exchange at a time with the JDK's HttpClient over a TLS context of our making: the server
 * is checked by the context's rule. A peer cannot make it wait or fill the heap: every answer is
 * bounded in size ({@link #DEFAULT_MAX_BODY} unless told) and must be whole within the request
 * timeout, and Retry-After is read safely and capped.
 */
public final class HttpsClient {

    /** The largest answer taken unless told otherwise: vouchers and certificates are a few KiB. */
    public static final int DEFAULT_MAX_BODY = 256 * 1024;
    /** The longest Retry-After believed: a peer that asks for more gets this. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** An answer: status, media type and body. */
    public record Response(int status, String contentType, byte[] body, java.net.http.HttpHeaders headers) {

        /** Retry-After (RFC 9110 section 10.2.3), seconds or an HTTP date, at most {@link #MAX_RETRY_AFTER}. */
        public java.util.Optional<Duration> retryAfter() {
            return headers.firstValue("Retry-After").flatMap(v -> RetryAfter.parse(v, java.time.Instant.now()));
        }

        /**
         * The body as text for a message or a log line: what a peer wrote, control characters escaped
         * and cut at {@link dev.avocado.protocol.io.Printable#MAX} (a hostile registrar forges no log
         * lines through its error text).
         */
        public String text() {
            return dev.avocado.protocol.io.Printable.of(new String(body, java.nio.charset.StandardCharsets.UTF_8).strip());
        }

        /** The media type without parameters, lower case, or "". */
        public String mediaType() {
            return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final HttpClient http;
    private final Duration timeout;
    private final int maxBody;

    public HttpsClient(SSLContext tls, Duration connectTimeout, Duration requestTimeout) {
        this(tls, connectTimeout, requestTimeout, DEFAULT_MAX_BODY);
    }

    /** @param maxBody the longest answer body taken, in bytes */
    public HttpsClient(SSLContext tls, Duration connectTimeout, Duration requestTimeout, int maxBody) {
        this(tls, connectTimeout, requestTimeout, maxBody, null);
    }

    /**
     * @param executor the threads that run the exchanges (a server names its own), or null for the
     *        HttpClient's
     */
    public HttpsClient(SSLContext tls, Duration connectTimeout, Duration requestTimeout, int maxBody,
            java.util.concurrent.Executor executor) {
        HttpClient.Builder b = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (executor != null) {
            b.executor(executor);
        }
        this.http = b.build();
        this.timeout = requestTimeout;
        this.maxBody = maxBody;
    }

    public Response get(URI uri, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept).GET().build());
    }

    public Response post(URI uri, String contentType, String accept, byte[] body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", contentType).header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /**
     * The exchange on the calling thread. {@code HttpClient.send} and not {@code sendAsync}: the JDK
     * hands every {@code sendAsync} answer to CompletableFuture's default executor, which on a machine
     * of one or two cores (the common pool has parallelism 1 there) starts a new thread per answer.
     * The headers must come within the request timeout (the HttpClient's own rule) and the body by the
     * same deadline ({@link BoundedBody}).
     */
    private Response send(HttpRequest request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // the message is made here: a body handler that held this client would keep its HttpClient reachable
        // from its own selector thread (through the pooled connection), and its connections would never close
        HttpResponse<byte[]> r = http.send(request, BoundedBody.handler(maxBody, deadline,
                "no whole answer from " + request.uri() + " within " + timeout.toSeconds() + " s"));
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body(), r.headers());
    }
}
