package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The factory service under load: N devices (software keys) each enroll over a fresh TLS connection,
 * C at a time; the bound set by the cryptography alone is measured in the same run: the same clients
 * against a no-op HTTPS endpoint of the same server setup (TLS handshakes), plus the CA's own work per
 * request (verify the CSR, sign the certificate) spread over the cores.
 */
@Command(name = "factory", mixinStandardHelpOptions = true,
        description = "IDevIDs per second of the factory service, against the bound set by the cryptography alone.")
final class FactoryBench implements Callable<Integer> {

    /** The service logs each IDevID; not during a benchmark (held: JUL keeps loggers weakly). */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.avocado.factory");

    @Option(names = "--devices", defaultValue = "2000", description = "Enrollments. Default: ${DEFAULT-VALUE}.")
    int devices;

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
                KeyPair key = KeyPairs.ecP256();
                csrs.add(Est.csr(new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=B" + run + "-" + i),
                        key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(Bc.PROVIDER)
                        .build(key.getPrivate()))));
            }
            SSLContext tls = TlsContexts.create(List.of(pki.root()), null);

            // the bound: a full TLS handshake (both ends: the clients share the cores) plus the CA's work
            Pki.Credential cred = pki.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
            SSLContext serverTls = TlsContexts.create(List.of(pki.root()), new TlsContexts.Credential(cred.key(), cred.withChain()));
            double handshakeSeconds = Handshakes.secondsPerHandshake(tls, serverTls, 300);
            double caSeconds = caWork(pki, csrs.subList(0, Math.min(500, devices)));
            double bound = cores / (handshakeSeconds + caSeconds);

            // the service
            double rate;
            long[] latency;
            try (FactoryService service = FactoryService.start(pki, url, new FactoryService.Settings("127.0.0.1", 0,
                    "masa.bench.test:8444", false, List.of()))) {
                long[] timesNanos = load(tls, service.port(), csrs, 200);
                latency = Arrays.copyOfRange(timesNanos, 0, timesNanos.length - 1);
                rate = devices / seconds(timesNanos);
            }
            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "factory bench: %d devices, %d concurrent clients, %d cores, database %s%n",
                    devices, concurrency, cores, db != null ? db.replaceAll("password=[^&]*", "password=***") : "embedded H2 file");
            System.out.printf(Locale.ROOT, "  IDevIDs per second:            %8.1f%n", rate);
            System.out.printf(Locale.ROOT, "  latency ms p50 / p90 / p99:    %8.1f / %.1f / %.1f%n", pct(latency, 0.5),
                    pct(latency, 0.9), pct(latency, 0.99));
            System.out.printf(Locale.ROOT, "  TLS handshake, both ends:      %8.3f ms of one core%n", handshakeSeconds * 1000);
            System.out.printf(Locale.ROOT, "  CA crypto per request:         %8.3f ms of one core (CSR verify + IDevID sign)%n",
                    caSeconds * 1000);
            System.out.printf(Locale.ROOT, "  bound set by the cryptography: %8.1f IDevIDs/s%n", bound);
            System.out.printf(Locale.ROOT, "  ratio to the bound:            %8.2f%n", rate / bound);
            return 0;
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    /** Sends every request, {@code concurrency} at a time, each on a new TLS connection; the last entry is the wall time. */
    private long[] load(SSLContext tls, int port, List<byte[]> requests, int expect) throws Exception {
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
                    HttpsURLConnection c = (HttpsURLConnection) uri.toURL().openConnection();
                    c.setSSLSocketFactory(tls.getSocketFactory());
                    c.setRequestMethod("POST");
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", Est.PKCS10);
                    c.getOutputStream().write(requests.get(n));
                    int status = c.getResponseCode();
                    byte[] body = (status == 200 ? c.getInputStream() : c.getErrorStream()).readAllBytes();
                    c.disconnect();
                    times[n] = System.nanoTime() - t;
                    if (status != 200) {
                        throw new IllegalStateException("HTTP " + status + ": " + new String(body));
                    }
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

    /** Seconds per request of the CA's cryptography: CSR signature verification and IDevID signing. */
    private static double caWork(Pki pki, List<byte[]> csrs) throws Exception {
        Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        List<PKCS10CertificationRequest> parsed = new ArrayList<>();
        for (byte[] b : csrs) {
            parsed.add(Est.parseCsr(b));
        }
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            long t = System.nanoTime();
            for (PKCS10CertificationRequest csr : parsed) {
                java.security.PublicKey key = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr)
                        .setProvider(Bc.PROVIDER).getPublicKey();
                csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(Bc.PROVIDER).build(key));
                IdevidProfile.issue(ca.certificate(), ca.key(), null, IdevidProfile.subject("Bench", "d", "B1"), key,
                        "masa.bench.test:8444", Instant.now());
            }
            if (round == 1) {
                return (System.nanoTime() - t) / 1e9 / parsed.size();
            }
        }
        throw new IllegalStateException();
    }

    private static double seconds(long[] times) {
        return times[times.length - 1] / 1e9;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }
}
