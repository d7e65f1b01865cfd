package dev.avocado.tools;

import dev.avocado.server.LogLine;
import dev.avocado.server.ServerMetrics;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What every 'serve' command takes to run as a service: a configuration file, the metrics listener, the log format. */
final class ServiceOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Options from a file, one 'name = value' line each, "
            + "named as on the command line without the dashes (approval = manual; a flag: open = true; a list: "
            + "comma-separated); the command line wins. The packages install /etc/avocado/SERVICE.conf.")
    Path config;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT", description = "Serve GET /metrics (Prometheus text format: "
            + "requests by step and status, latencies, what was issued) over plain HTTP at this address, a port alone "
            + "meaning 127.0.0.1. Default: not served.")
    String metrics;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text", description = "text, or logfmt: one "
            + "line per event with time, level, logger, step and serial fields (for the journal and log shippers). "
            + "Default: ${DEFAULT-VALUE}.")
    String logFormat;

    private ServerMetrics.Listener listener;

    /** Applies the log format; the metrics listener, or null. */
    ServerMetrics.Listener apply() {
        switch (logFormat) {
            case "text" -> { }
            case "logfmt" -> LogLine.install();
            default -> throw new IllegalArgumentException("--log-format '" + logFormat + "' is neither text nor logfmt");
        }
        listener = metrics == null ? null : ServerMetrics.Listener.parse(metrics);
        return listener;
    }

    /** Says where the metrics are, when they are served ({@code port}: the one bound). */
    void announce(String service, int port) {
        if (listener != null && port > 0) {
            String host = listener.bind().contains(":") ? "[" + listener.bind() + "]" : listener.bind();
            AdminForward.out().println(service + " metrics: http://" + host + ":" + port + "/metrics");
        }
    }
}
