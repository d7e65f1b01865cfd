package dev.avocado.server;

import dev.avocado.server.HttpsServer.Bound;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * {@link HttpsServer}'s handler: finds the route, reads the body (up to the limit), runs the route, writes
 * its reply and counts it in the metrics; on the metrics listener it serves {@code GET /metrics} only.
 */
final class Dispatcher extends Handler.Abstract {

    /**
     * Reads and drops what is left of a refused body, up to {@value #DRAIN_FACTOR} times the limit. A
     * client sends its whole body before it reads (the JDK's HttpClient does, as most do): answered and
     * closed in the middle, it gets a reset where the 413 should be, and a refusal that names nothing.
     * Past that bound the answer goes out and the connection closes: the server reads no more for nobody.
     */
    private static void drain(java.io.InputStream in, int maxBody) {
        long left = (long) maxBody * DRAIN_FACTOR;
        byte[] sink = new byte[8192];
        try {
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0;) {
                left -= n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the client went away or stalled past the idle timeout: the answer is best effort
        }
    }

    /** How many times its limit a refused body is read before the connection is closed instead. */
    private static final int DRAIN_FACTOR = 16;

    private final String name;
    private final Map<String, Bound> routes;
    private final int maxBody;
    private final RouteErrors.Unavailable unavailable;
    private final Map<String, Map<String, String>> headersUnder;
    private final ServerMetrics metrics;
    private final ServerConnector metricsConnector;

    Dispatcher(String name, Map<String, Bound> routes, int maxBody, RouteErrors.Unavailable unavailable,
            Map<String, Map<String, String>> headersUnder, ServerMetrics metrics, ServerConnector metricsConnector) {
        this.name = name;
        this.routes = routes;
        this.maxBody = maxBody;
        this.unavailable = unavailable;
        this.headersUnder = headersUnder;
        this.metrics = metrics;
        this.metricsConnector = metricsConnector;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = request.getHttpURI().getPath();
        if (metricsConnector != null && request.getConnectionMetaData().getConnector() == metricsConnector) {
            Reply r = "/metrics".equals(path) && "GET".equals(request.getMethod())
                    ? Reply.of(200, ServerMetrics.CONTENT_TYPE, metrics.scrape()) : Reply.text(404, "only GET /metrics here");
            response.setStatus(r.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
            response.write(true, ByteBuffer.wrap(r.body()), callback);
            return true;
        }
        Bound route = routes.get(request.getMethod() + " " + path);
        Reply reply;
        if (route == null) {
            boolean known = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + path));
            reply = known ? Reply.text(405, "method " + request.getMethod() + " not allowed on " + path)
                    : Reply.text(404, "no " + path + " here");
        } else {
            reply = run(route, request, path);
        }
        response.setStatus(reply.status());
        if (reply.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        }
        headersUnder.forEach((prefix, headers) -> {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                headers.forEach(response.getHeaders()::put);
            }
        });
        reply.headers().forEach(response.getHeaders()::put);
        metrics.answered(route == null ? "none" : route.step(), reply.status(), System.nanoTime() - start);
        response.write(true, ByteBuffer.wrap(reply.body() == null ? new byte[0] : reply.body()), callback);
        return true;
    }

    private static Map<String, String> query(Request request) {
        if (request.getHttpURI().getQuery() == null) {
            return Map.of();
        }
        Map<String, String> q = new HashMap<>();
        try {
            for (org.eclipse.jetty.util.Fields.Field f : Request.extractQueryParameters(request)) {
                q.putIfAbsent(f.getName(), f.getValue());
            }
        } catch (RuntimeException e) {
            return Map.of(); // a query that does not decode: as if none, the route says what it misses
        }
        return Map.copyOf(q);
    }

    private Reply run(Bound route, Request request, String path) {
        long declared = request.getLength();
        // not closed: Jetty consumes (or drops with the connection) whatever is left when the reply is sent
        java.io.InputStream in = Content.Source.asInputStream(request);
        byte[] body;
        try {
            if (declared > maxBody) {
                drain(in, maxBody);
                return Reply.text(413, "request body of " + declared + " bytes is over the limit of " + maxBody);
            }
            body = in.readNBytes(maxBody + 1);
            if (body.length > maxBody) {
                drain(in, maxBody);
                return Reply.text(413, "request body is over the limit of " + maxBody + " bytes");
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Reply.text(400, "request body could not be read: " + e.getMessage());
        }
        List<X509Certificate> chain = List.of();
        Object ssl = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
        if (ssl instanceof EndPoint.SslSessionData data && data.peerCertificates() != null) {
            chain = List.of(data.peerCertificates());
        }
        Exchange ex = new Exchange(request.getMethod(), path, request.getHeaders().get(HttpHeader.CONTENT_TYPE),
                request.getHeaders().get(HttpHeader.ACCEPT), body, chain, Request.getRemoteAddr(request),
                request.getHeaders()::get, query(request));
        try {
            return route.route().handle(ex);
        } catch (Exception | Error e) {
            return RouteErrors.reply(e, name, route.step(), ex, unavailable);
        }
    }
}
