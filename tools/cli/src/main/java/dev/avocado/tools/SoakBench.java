package dev.avocado.tools;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A long load on the three servers, each its own process as it runs in production: devices, C at a
 * time, each getting its IDevID from the factory (a new TLS connection) and then onboarding with it
 * through the registrar and the MASA, for the whole run. Every few seconds the resident memory and the
 * open file descriptors of each server are read from /proc: a leak shows as a slope.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Factory, MASA and registrar as processes under load for a while: RSS and open files sampled.")
final class SoakBench implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--minutes", defaultValue = "15", description = "Length of the load. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--concurrency", defaultValue = "4", description = "Devices at a time. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--sample", defaultValue = "15", paramLabel = "SECONDS", description = "Seconds between samples. "
            + "Default: ${DEFAULT-VALUE}.")
    int sample;

    @Option(names = "--server-jvm", defaultValue = "-Xmx160m", paramLabel = "OPTIONS", description = "The servers' JVM "
            + "options, as a service unit would set them (a heap limit: without one a JVM takes a quarter of the machine "
            + "as it pleases). Default: ${DEFAULT-VALUE}.")
    String serverJvm;

    @Option(names = "--malloc-arenas", defaultValue = "0", paramLabel = "N", description = "MALLOC_ARENA_MAX of the "
            + "servers (glibc keeps up to 8 per core of memory pools for threads; services often set 2). Default: "
            + "${DEFAULT-VALUE}, glibc's own.")
    int mallocArenas;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("avocado-soak");
        List<ServerProcess> servers = new ArrayList<>();
        try {
            int factoryPort = Ports.free();
            int masaPort = Ports.free();
            int registrarPort = Ports.free();
            Pki pki = new Pki(dir.resolve("pki"));
            pki.init("Soak", "https://127.0.0.1:" + factoryPort, "127.0.0.1:" + masaPort, "Soak Owner",
                    "https://127.0.0.1:" + registrarPort);
            servers.add(start(dir, "factory", "factory provisioning service: ", "factory", "serve", "--pki",
                    pki.folder().toString(), "--open"));
            servers.add(start(dir, "masa", "MASA: https", "masa", "serve", "--pki", pki.folder().toString(),
                    "--ownership", "first-claim"));
            servers.add(start(dir, "registrar", "registrar: https", "registrar", "serve", "--pki", pki.folder().toString(),
                    "--no-dns-sd", "--approval", "auto"));
            System.setProperty("http.keepAlive", "false");
            SSLContext factoryTls = TlsContexts.manufacturerServer(ManufacturerTrust.of(pki.mprCertificates()), "127.0.0.1",
                    null);
            URI enroll = URI.create("https://127.0.0.1:" + factoryPort + Est.SIMPLEENROLL);
            URI registrar = URI.create("https://127.0.0.1:" + registrarPort);

            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + (long) (minutes * 60e9);
            String run = Long.toHexString(System.nanoTime());
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            List<Future<?>> load = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(concurrency);
            for (int t = 0; t < concurrency; t++) {
                int worker = t;
                load.add(pool.submit(() -> {
                    started.countDown();
                    for (long i = 0; System.nanoTime() < end; i++) {
                        String serial = "S" + run + "-" + worker + "-" + i;
                        KeyPair key = KeyPairs.ecP256();
                        List<X509Certificate> idevid = enroll(factoryTls, enroll, serial, key);
                        BrskiBench.onboard(registrar, pki, List.of(new BrskiBench.Pledge(serial, key, idevid)));
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            started.await();
            long t0 = System.nanoTime();
            System.out.printf(Locale.ROOT, "soak: %.0f min, %d devices at a time (IDevID from the factory, then voucher and "
                    + "LDevID), servers as processes with %s%s%n", minutes, concurrency, serverJvm,
                    mallocArenas > 0 ? " and MALLOC_ARENA_MAX=" + mallocArenas : "");
            System.out.printf(Locale.ROOT, "%8s %10s %s%n", "seconds", "devices", servers.stream()
                    .map(s -> String.format(Locale.ROOT, "%13s %5s", s.name() + " RSS MiB", "fds")).reduce("", String::concat));
            List<long[]> samples = new ArrayList<>();
            while (load.stream().anyMatch(f -> !f.isDone())) {
                Thread.sleep(sample * 1000L);
                servers.forEach(ServerProcess::alive);
                long[] row = new long[1 + 2 * servers.size()];
                row[0] = done.get();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%8.0f %10d", (System.nanoTime() - t0) / 1e9,
                        row[0]));
                for (int i = 0; i < servers.size(); i++) {
                    row[1 + 2 * i] = servers.get(i).rssKiB();
                    row[2 + 2 * i] = servers.get(i).openFiles();
                    line.append(String.format(Locale.ROOT, " %13.1f %5d", row[1 + 2 * i] / 1024.0, row[2 + 2 * i]));
                }
                samples.add(row);
                System.out.println(line);
            }
            for (Future<?> f : load) {
                f.get();
            }
            pool.shutdown();
            report(servers, samples, (System.nanoTime() - t0) / 1e9, done.get());
            return 0;
        } finally {
            for (ServerProcess s : servers) {
                s.close();
            }
            ImageBuilder.deleteTree(dir);
        }
    }

    /**
     * After the first third (warm-up: heap and pools grow to their working size), the last third's
     * mean against the middle third's, per server: flat when RSS grew by less than 10% and the open files
     * by less than a quarter and 10.
     */
    private static void report(List<ServerProcess> servers, List<long[]> samples, double seconds, long devices) {
        System.out.printf(Locale.ROOT, "soak: %d devices in %.0f s (%.1f per second)%n", devices, seconds, devices / seconds);
        int n = samples.size();
        if (n < 3) {
            System.out.println("soak: too few samples to tell a slope");
            return;
        }
        for (int i = 0; i < servers.size(); i++) {
            int rss = 1 + 2 * i;
            int fds = 2 + 2 * i;
            double midRss = mean(samples.subList(n / 3, 2 * n / 3), rss);
            double lastRss = mean(samples.subList(2 * n / 3, n), rss);
            double midFds = mean(samples.subList(n / 3, 2 * n / 3), fds);
            double lastFds = mean(samples.subList(2 * n / 3, n), fds);
            long maxRss = samples.stream().mapToLong(r -> r[rss]).max().orElse(0);
            // open files go up and down with the connections in flight: a leak is a trend past that
            boolean flat = lastRss < midRss * 1.10 && lastFds < midFds * 1.25 + 10;
            System.out.printf(Locale.ROOT, "  %-10s RSS MiB middle %.1f, last %.1f, max %.1f; open files middle %.0f, last %.0f: %s%n",
                    servers.get(i).name(), midRss / 1024, lastRss / 1024, maxRss / 1024.0, midFds, lastFds,
                    flat ? "flat" : "GROWING");
        }
    }

    private static double mean(List<long[]> rows, int column) {
        return rows.stream().mapToLong(r -> r[column]).average().orElse(0);
    }

    /** O.4 as a device does it; the answer's IDevID, with its CA. */
    private static List<X509Certificate> enroll(SSLContext tls, URI uri, String serial, KeyPair key) throws Exception {
        return Est.parseCertsOnly(FactoryBench.enroll(tls, uri, FactoryBench.csr(serial, key)));
    }

    private ServerProcess start(Path dir, String name, String ready, String... args) throws Exception {
        return ServerProcess.start(dir, name, ready, serverJvm, mallocArenas, args);
    }
}
