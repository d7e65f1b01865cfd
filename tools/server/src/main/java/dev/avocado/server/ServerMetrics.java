package dev.avocado.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A server's metrics in the Prometheus text format (client_java): requests answered by step and status
 * (the outcomes of O.4, C.3, D.4 ...), their latency by step, and what was issued (IDevIDs, vouchers,
 * LDevIDs). One registry per server, so that several in one process (the tests, the demo) do not mix;
 * served at {@code /metrics} on the server's metrics listener only ({@link HttpsServer.Builder#metrics}).
 */
public final class ServerMetrics {

    /** Where a server serves {@code GET /metrics}: plain HTTP on an address of its own (loopback, for a local scraper). */
    public record Listener(String bind, int port) {
        /** "127.0.0.1:9464", "[::1]:9464" or a port alone (loopback). */
        public static Listener parse(String s) {
            int colon = s.lastIndexOf(':');
            try {
                if (colon < 0) {
                    return new Listener("127.0.0.1", Integer.parseInt(s));
                }
                return new Listener(s.substring(0, colon).replace("[", "").replace("]", ""), Integer.parseInt(s.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--metrics '" + s + "' is not ADDRESS:PORT or PORT");
            }
        }
    }

    /** The media type of the text format, version 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final String service;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Counter issued;

    public ServerMetrics(String service) {
        this.service = service;
        // classic buckets and no exemplars: an exemplar looks for a trace span, and a native histogram keeps
        // its own buckets, on every observation, which no scraper of ours reads
        requests = Counter.builder().withoutExemplars().name("avocado_requests_total")
                .help("Requests answered, by the step they serve and the HTTP status of the answer")
                .labelNames("service", "step", "status").register(registry);
        latency = Histogram.builder().classicOnly().withoutExemplars().name("avocado_request_duration_seconds")
                .help("Time from a request's arrival to its answer, by step")
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .labelNames("service", "step").register(registry);
        issued = Counter.builder().withoutExemplars().name("avocado_issued_total")
                .help("What the server issued and committed: idevid (O.6), voucher (C.6 at the MASA, C.9 at the registrar), "
                        + "ldevid (D.5)")
                .labelNames("service", "kind").register(registry);
    }

    /** A request answered. */
    public void answered(String step, int status, long nanos) {
        requests.labelValues(service, step, Integer.toString(status)).inc();
        latency.labelValues(service, step).observe(nanos / 1e9);
    }

    /** Something issued and committed: "idevid", "voucher", "ldevid". */
    public void issued(String kind) {
        issued.labelValues(service, kind).inc();
    }

    /** The text format of every metric now. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
