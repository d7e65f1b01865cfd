package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import dev.avocado.server.ServerTls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The factory service under load, at steady state: devices (software keys, CSRs made before the
 * clock) each enroll over a fresh TLS connection, C at a time; the first ones warm both ends up and are
 * not counted. The bound is set by the best raw cryptography measured in the same run: one full
 * handshake of the servers' TLS stack with the device's (both ends: the load generator shares the
 * cores), one CSR verification and one IDevID signature, spread over the cores.
 */
@Command(name = "factory", mixinStandardHelpOptions = true,
        description = "IDevIDs per second of the factory service at steady state, against the bound set by the best raw "
                + "cryptography.")
final class FactoryBench implements Callable<Integer> {

    /** The service logs each IDevID; not during a benchmark (held: JUL keeps loggers weakly). */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.avocado.factory");

    @Option(names = "--devices", defaultValue = "10000", description = "Counted enrollments. Default: ${DEFAULT-VALUE}.")
    int devices;

    @Option(names = "--warmup", defaultValue = "20", paramLabel = "SECONDS", description = "Seconds of enrollments before "
            + "the clock, until the JIT has compiled what the load runs. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Clients at a time. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "The device database. Default: an embedded H2 file.")
    String db;

    @Override
    public Integer call() throws Exception {
        // every device is a new TLS connection, as on the line
        System.setProperty("http.keepAlive", "false");
        QUIET.setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("avocado-factory-bench");
        try {
            Pki pki = new Pki(dir.resolve("pki"));
            pki.init("Bench", "https://127.0.0.1:8443", "masa.bench.test:8444");
            String url = db != null ? db : "jdbc:h2:file:" + dir.resolve("db/devices");
            int cores = Runtime.getRuntime().availableProcessors();

            // the requests, made before the clock starts: devices make their CSR themselves
            String run = Long.toHexString(System.nanoTime());
            List<byte[]> csrs = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                csrs.add(csr("B" + run + "-" + i));
            }
            // the device's own check of the factory (O.3): issued by the MPR root itself, serverAuth, this address
            SSLContext tls = TlsContexts.manufacturerServer(ManufacturerTrust.of(pki.mprCertificates()), "127.0.0.1", null);

            double rate;
            long[] latency;
            JvmCounters counted;
            ServerTls stack = ServerTls.configured();
            try (FactoryService service = FactoryService.start(pki, url, new FactoryService.Settings("127.0.0.1", 0,
                    "masa.bench.test:8444", false, List.of()))) {
                // the warm-up makes its devices as it goes: not counted
                long warmupEnd = System.nanoTime() + warmup * 1_000_000_000L;
                int warmed = 0;
                while (System.nanoTime() < warmupEnd) {
                    List<byte[]> batch = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        batch.add(csr("W" + run + "-" + warmed++));
                    }
                    load(tls, service.port(), batch);
                }
                JvmCounters start = JvmCounters.now();
                long[] timesNanos = load(tls, service.port(), csrs);
                counted = JvmCounters.now().since(start);
                latency = Arrays.copyOfRange(timesNanos, 0, timesNanos.length - 1);
                rate = devices / seconds(timesNanos);
            }

            // the bound: the handshake of the chosen stack, then the best raw signature and verification
            Pki.Credential cred = pki.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
            SSLContext serverTls = stack.anyClient(new TlsContexts.Credential(cred.key(), cred.withChain()));
            Handshakes.Cost handshake = Handshakes.secondsPerHandshake(tls, serverTls, false, 2000);
            RawCrypto.Best raw = RawCrypto.measure(500);
            double ca = raw.verify().seconds() + raw.sign().seconds();
            double bound = cores / (handshake.both() + ca);
            double serverBound = cores / (handshake.server() + ca);
            double serverOnly = counted.serverSecondsPer(devices);

            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "factory bench: %d devices after %d s to warm up, %d concurrent clients, %d cores, "
                    + "server TLS %s, database %s%n", devices, warmup, concurrency, cores, stack,
                    db != null ? db.replaceAll("password=[^&]*", "password=***") : "embedded H2 file");
            System.out.printf(Locale.ROOT, "  IDevIDs per second:            %8.1f%n", rate);
            System.out.printf(Locale.ROOT, "  latency ms p50 / p90 / p99:    %8.1f / %.1f / %.1f%n", pct(latency, 0.5),
                    pct(latency, 0.9), pct(latency, 0.99));
            System.out.printf(Locale.ROOT, "  counted phase:                 %s%n", counted.line(devices, "IDevID"));
            System.out.printf(Locale.ROOT, "  TLS handshake, both ends:      %8.3f ms of one core (%s server, BCJSSE device; the "
                    + "server's part %.3f ms)%n", handshake.both() * 1000, stack, handshake.server() * 1000);
            System.out.printf(Locale.ROOT, "  best raw P-256:                %s, %s%n", raw.verify(), raw.sign());
            System.out.printf(Locale.ROOT, "  bound set by the cryptography: %8.1f IDevIDs/s (handshake + CSR verify + IDevID sign)%n",
                    bound);
            System.out.printf(Locale.ROOT, "  ratio to the bound:            %8.2f%n", rate / bound);
            System.out.printf(Locale.ROOT, "  servers alone:                 %8.1f IDevIDs/s on %d cores (their threads' CPU per IDevID "
                    + "%.3f ms), ratio to the servers' share of the bound %.2f%n", cores / serverOnly, cores, serverOnly * 1000,
                    (cores / serverOnly) / serverBound);
            return 0;
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    /**
     * O.4 as a device does it: a CSR body posted over a new TLS connection (the device's check of the
     * factory in {@code tls}); the answer's body, a certs-only IDevID.
     */
    static byte[] enroll(SSLContext tls, URI uri, byte[] csr) throws java.io.IOException {
        HttpsURLConnection c = (HttpsURLConnection) uri.toURL().openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        c.setHostnameVerifier((host, session) -> true); // the trust manager checked the address (O.3)
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", Est.PKCS10);
        c.getOutputStream().write(csr);
        int status = c.getResponseCode();
        byte[] body = (status == 200 ? c.getInputStream() : c.getErrorStream()).readAllBytes();
        c.disconnect();
        if (status != 200) {
            throw new IllegalStateException("factory: HTTP " + status + ": " + new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        return body;
    }

    /** A device's CSR: a new key pair, the serial in the subject, signed. */
    private static byte[] csr(String serial) throws Exception {
        return csr(serial, KeyPairs.ecP256());
    }

    /** A device's CSR for {@code key}, the serial in the subject. */
    static byte[] csr(String serial, KeyPair key) throws Exception {
        return Est.csr(new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=" + serial), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(Bc.PROVIDER).build(key.getPrivate())));
    }

    /** Sends every request, {@code concurrency} at a time, each on a new TLS connection; the last entry is the wall time. */
    private long[] load(SSLContext tls, int port, List<byte[]> requests) throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + port + Est.SIMPLEENROLL);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long[] times = new long[requests.size() + 1];
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                int n = i;
                all.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    enroll(tls, uri, requests.get(n));
                    times[n] = System.nanoTime() - t;
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        times[requests.size()] = System.nanoTime() - start;
        return times;
    }

    private static double seconds(long[] times) {
        return times[times.length - 1] / 1e9;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }
}
