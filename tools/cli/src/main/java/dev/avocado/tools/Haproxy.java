package dev.avocado.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy (Debian's) in front of several instances of each server, in TCP mode: TLS goes through
 * untouched, so the client certificate a pledge presents reaches the registrar it lands on. Each
 * backend is checked every 250 ms; one that refuses a connection is out after one failed check, and a
 * connection that cannot reach its backend is dispatched to another (redispatch, three tries).
 */
final class Haproxy implements AutoCloseable {

    private final Process process;
    private final Path log;

    private Haproxy(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts HAProxy with one frontend per entry (its loopback port) balanced round-robin over the
     * loopback ports of its instances; returns once every frontend accepts connections.
     */
    static Haproxy start(Path dir, Map<String, Frontend> frontends) throws IOException, InterruptedException {
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4096
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 60s
                    timeout server 60s
                    retries 3
                    option redispatch
                """);
        for (Map.Entry<String, Frontend> f : frontends.entrySet()) {
            cfg.append("frontend ").append(f.getKey()).append('\n')
                    .append("    bind 127.0.0.1:").append(f.getValue().port()).append('\n')
                    .append("    default_backend ").append(f.getKey()).append("s\n")
                    .append("backend ").append(f.getKey()).append("s\n")
                    .append("    balance roundrobin\n");
            int i = 0;
            for (int port : f.getValue().instances()) {
                cfg.append("    server ").append(f.getKey()).append(i++).append(" 127.0.0.1:").append(port)
                        .append(" check inter 250ms fall 1 rise 2\n");
            }
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Path log = dir.resolve("haproxy.log");
        // -db: stay in the foreground, as this process's child; its stop is SIGTERM
        Process p = new ProcessBuilder(binary(), "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Haproxy h = new Haproxy(p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Frontend f : frontends.values()) {
            while (!accepts(f.port())) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    h.close();
                    throw new IOException("HAProxy did not listen on 127.0.0.1:" + f.port() + " within 20 s: "
                            + Files.readString(log).strip());
                }
                Thread.sleep(50);
            }
        }
        return h;
    }

    /** A frontend port and the ports of the instances behind it. */
    record Frontend(int port, List<Integer> instances) {
    }

    /** Frontends in the order given. */
    static Map<String, Frontend> frontends() {
        return new LinkedHashMap<>();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String binary() throws IOException {
        for (String p : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IOException("HAProxy is not installed (apt-get install haproxy)");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    Path log() {
        return log;
    }

    /** HAProxy's own CPU time so far, in seconds (its forwarding is part of what a load balancer costs). */
    double cpuSeconds() throws IOException {
        return ServerProcess.cpuSeconds(process.pid());
    }
}
