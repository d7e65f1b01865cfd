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
 * is checked against the context's anchors and its name against the URI's host.
 */
public final class HttpsClient {

    /** An answer: status, media type and body. */
    public record Response(int status, String contentType, byte[] body, java.net.http.HttpHeaders headers) {

        /** Retry-After in seconds (RFC 9110 also allows a date; a date is read as the default). */
        public java.util.Optional<Duration> retryAfter() {
            return headers.firstValue("Retry-After").flatMap(v -> {
                try {
                    return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
                } catch (NumberFormatException e) {
                    return java.util.Optional.empty();
                }
            });
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        }

        /** The media type without parameters, lower case, or "". */
        public String mediaType() {
            return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    public HttpsClient(SSLContext tls, Duration connectTimeout, Duration requestTimeout) {
        this.http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = requestTimeout;
    }

    public Response get(URI uri, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept).GET().build());
    }

    public Response post(URI uri, String contentType, String accept, byte[] body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", contentType).header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body(), r.headers());
    }
}
