package dev.avocado.server;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * HTTPS on Jetty 12's core handler API: a TLS context of our making ({@link ServerTls}), a client certificate
 * not asked for, wanted or needed, and a table of routes. Handlers are plain blocking functions from
 * an {@link Exchange} to a {@link Reply}.
 */
public final class HttpsServer implements AutoCloseable {

    /** Per-connection chatter of the libraries stays out of the service log (kept: JUL holds loggers weakly). */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("org.bouncycastle.jsse",
            "org.eclipse.jetty", "com.zaxxer.hikari").map(java.util.logging.Logger::getLogger).toList();

    static {
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        // BCJSSE warns at every start that it skips the JDK's own disabledAlgorithms syntax
        QUIET.get(0).setLevel(java.util.logging.Level.SEVERE);
    }

    /** Whether the TLS handshake asks the client for a certificate. */
    public enum ClientAuth {
        NONE, WANT, NEED
    }

    /**
     * One request, read whole.
     *
     * @param headers the request's headers, looked up by name (the request's own fields: nothing is copied
     *        for the routes that read none)
     * @param query the query's parameters (the first value of each), decoded
     */
    public record Exchange(String method, String path, String contentType, String accept, byte[] body,
            List<X509Certificate> clientChain, String remoteAddress, Headers headers, Map<String, String> query) {

        /** A request header by name (any case), or null. */
        public String header(String name) {
            return headers.get(name);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** True when the client takes this media type (no Accept header takes anything). */
        public boolean accepts(String mediaType) {
            if (accept == null || accept.isBlank()) {
                return true;
            }
            String family = mediaType.substring(0, mediaType.indexOf('/') + 1) + "*";
            for (String range : accept.split(",")) {
                String r = range.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
                if (r.equals(mediaType) || r.equals("*/*") || r.equals(family)) {
                    return true;
                }
            }
            return false;
        }

        /** The media type without parameters, lower case ("application/pkcs10"), or "". */
        public String mediaType() {
            return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A request's headers: the first value of a name, any case, or null. */
    public interface Headers {
        String get(String name);
    }

    /** One response. */
    public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {

        public static Reply of(int status, String contentType, byte[] body) {
            return new Reply(status, contentType, body, Map.of());
        }

        /**
         * An EST answer (RFC 7030 sections 4.1.3, 4.2.3, 4.5.2): a base64 body, said so with
         * Content-Transfer-Encoding, without which BouncyCastle's EST client does not decode it.
         */
        public static Reply est(String contentType, byte[] base64Body) {
            return of(200, contentType, base64Body).header("Content-Transfer-Encoding", "base64");
        }

        /** A plain-text answer a person can read (errors say what was wrong). */
        public static Reply text(int status, String message) {
            return of(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
        }

        public static Reply json(int status, String json) {
            return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        /** The same reply telling the client when to ask again (Retry-After, whole seconds, at least 1). */
        public Reply retryAfter(Duration wait) {
            return header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
        }

        /** The same reply with one more header. */
        public Reply header(String name, String value) {
            Map<String, String> h = new HashMap<>(headers);
            h.put(name, value);
            return new Reply(status, contentType, body, Map.copyOf(h));
        }
    }

    /** A route's code: its answer, or a {@link Rejection} (or any failure) thrown. */
    public interface Route {
        Reply handle(Exchange exchange) throws Exception;
    }

    /** A route and the step its log lines name. */
    record Bound(String step, Route route) {
    }

    private static final int MAX_THREADS = 64;
    /**
     * Closes both directions of a connection's TLS engine when Jetty closes the connection. Conscrypt frees
     * its native SSL (and the pipe it holds for it) only then or at garbage collection: without this, a
     * server under load held hundreds of pipes until the next collection (bench soak).
     */
    private static final org.eclipse.jetty.io.Connection.Listener ENGINE_RELEASE = new org.eclipse.jetty.io.Connection.Listener() {
        @Override
        public void onClosed(org.eclipse.jetty.io.Connection connection) {
            if (connection instanceof org.eclipse.jetty.io.ssl.SslConnection ssl) {
                javax.net.ssl.SSLEngine engine = ssl.getSSLEngine();
                engine.closeOutbound();
                try {
                    engine.closeInbound();
                } catch (javax.net.ssl.SSLException e) {
                    // the peer left without close_notify: nothing more to read either way
                }
            }
        }
    };

    /** How long a connection may sit idle between requests. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

    private final Server server;
    private final ServerConnector connector;
    private final ServerConnector metricsConnector;
    private final ServerMetrics metrics;

    private HttpsServer(Builder b) {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName(b.name);
        server = new Server(threads);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(b.sslContext);
        tls.setSniRequired(false);
        tls.setEndpointIdentificationAlgorithm(null);
        tls.setWantClientAuth(b.clientAuth == ClientAuth.WANT);
        tls.setNeedClientAuth(b.clientAuth == ClientAuth.NEED);
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        // a client that keeps its connection idle (the JDK's HttpClient keeps one for 20 minutes; a pledge that
        // has onboarded never comes back) holds a socket and the TLS stack's memory: 10 s, then it goes
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.addEventListener(ENGINE_RELEASE);
        connector.setHost(b.bind);
        connector.setPort(b.port);
        server.addConnector(connector);
        metrics = b.metrics != null ? b.metrics : new ServerMetrics(b.name);
        if (b.metricsBind != null) {
            // plain HTTP for the scraper, on its own address (loopback by default): nothing else is served there
            metricsConnector = new ServerConnector(server, new HttpConnectionFactory(http));
            metricsConnector.setHost(b.metricsBind);
            metricsConnector.setPort(b.metricsPort);
            server.addConnector(metricsConnector);
        } else {
            metricsConnector = null;
        }
        server.setHandler(new Dispatcher(b.name, Map.copyOf(b.routes), b.maxBody,
                new RouteErrors.Unavailable(b.unavailableWhat, b.unavailableRetry), Map.copyOf(b.headersUnder), metrics,
                metricsConnector));
    }

    /** The port of the metrics listener, or -1 when there is none. */
    public int metricsPort() {
        return metricsConnector == null ? -1 : metricsConnector.getLocalPort();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The port it listens on (the chosen one when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** How to make a server. */
    public static final class Builder {
        private final String name;
        private String bind = "127.0.0.1";
        private int port;
        private SSLContext sslContext;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private int maxBody = 64 * 1024;
        private final Map<String, Bound> routes = new HashMap<>();
        private final Map<String, Map<String, String>> headersUnder = new HashMap<>();
        private ServerMetrics metrics;
        private String metricsBind;
        private int metricsPort;
        private String unavailableWhat;
        private Duration unavailableRetry = Duration.ofSeconds(2);

        private Builder(String name) {
            this.name = name;
            this.unavailableWhat = "the " + name + " database";
        }

        /** What a database failure answers: 503, "{what} is not available; try again", Retry-After. */
        public Builder unavailable(String what, Duration retryAfter) {
            this.unavailableWhat = what;
            this.unavailableRetry = retryAfter;
            return this;
        }

        public Builder bind(String address, int port) {
            this.bind = address;
            this.port = port;
            return this;
        }

        public Builder tls(SSLContext context, ClientAuth clientAuth) {
            this.sslContext = context;
            this.clientAuth = clientAuth;
            return this;
        }

        /**
         * Headers every reply under a path prefix carries, refusals and errors too (a web console's
         * Content-Security-Policy, say); a route's own header of the same name wins.
         */
        public Builder headersUnder(String pathPrefix, Map<String, String> headers) {
            headersUnder.put(pathPrefix, Map.copyOf(headers));
            return this;
        }

        /** The metrics the server counts its answers in (else a registry of its own). */
        public Builder metrics(ServerMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Serves {@code GET /metrics} (Prometheus text format) on a plain HTTP listener of its own; null: none. */
        public Builder metricsListener(String bind, int port) {
            this.metricsBind = bind;
            this.metricsPort = port;
            return this;
        }

        public Builder maxBody(int bytes) {
            this.maxBody = bytes;
            return this;
        }

        public Builder route(String method, String path, Route route) {
            return route(method, path, method + " " + path, route);
        }

        /**
         * A route whose refusals and failures are logged under {@code step} (O.4, C.3, D.4 ...) and
         * answered by the one mapping of {@link RouteErrors}: the route throws, it does not catch.
         */
        public Builder route(String method, String path, String step, Route route) {
            routes.put(method + " " + path, new Bound(step, route));
            return this;
        }

        public HttpsServer start() throws Exception {
            HttpsServer s = new HttpsServer(this);
            s.server.start();
            return s;
        }
    }
}
