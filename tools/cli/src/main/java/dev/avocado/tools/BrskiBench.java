package dev.avocado.tools;

import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.registrar.RegistrarService;
import dev.avocado.server.Pki;
import dev.avocado.server.ServerTls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Registrar and MASA under load, at steady state: simulated pledges (software keys, the device's own
 * pledge code) onboard C at a time, each the whole exchange (C.0 to C.10, voucher_status, cacerts,
 * csrattrs, simpleenroll, enrollstatus); the first ones warm both ends up and are not counted. The bound
 * is set by the best raw cryptography measured in the same run: the pledge's two handshakes on the
 * servers' TLS stack, and the signatures, verifications and key pair one onboarding cannot do without
 * ({@link #SIGNATURES}, {@link #VERIFICATIONS}), spread over the cores.
 */
@Command(name = "brski", mixinStandardHelpOptions = true,
        description = "Onboardings per second of registrar + MASA, against the bound set by the cryptography alone.")
final class BrskiBench implements Callable<Integer> {

    /**
     * Signatures one onboarding needs: the pledge's voucher request (C.1) and CSR (D.4), the registrar's
     * voucher request (C.4) and LDevID (D.5), the MASA's voucher (C.6).
     */
    static final int SIGNATURES = 5;
    /**
     * Verifications one onboarding needs when every party remembers the paths it has seen (the MASA's,
     * the registrar's and the domain's certificates recur): the registrar checks the pledge's request, its
     * IDevID, the voucher and the CSR; the MASA the registrar's request, the pledge's inside it and the
     * IDevID; the pledge the voucher and its LDevID.
     */
    static final int VERIFICATIONS = 9;
    /** The services log each step and each first claim; not during a benchmark (held: JUL keeps loggers weakly). */
    static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("dev.avocado.masa",
            "dev.avocado.registrar").map(java.util.logging.Logger::getLogger).toList();

    @Option(names = "--pledges", defaultValue = "5000", description = "Counted onboardings. Default: ${DEFAULT-VALUE}.")
    int pledges;

    @Option(names = "--warmup", defaultValue = "1500", description = "Onboardings before the clock, until the JIT has "
            + "compiled what the load runs. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Pledges at a time. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "One database for both (PostgreSQL, say). Default: "
            + "embedded H2 files.")
    String db;

    /** A pledge made before the clock starts: its key and IDevID. */
    record Pledge(String serial, KeyPair key, List<X509Certificate> chain) {
    }

    @Override
    public Integer call() throws Exception {
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
        Path dir = Files.createTempDirectory("avocado-brski-bench");
        try {
            Pki pki = new Pki(dir.resolve("pki"));
            int masaPort = Ports.free();
            pki.init("Bench", "https://127.0.0.1:8443", "127.0.0.1:" + masaPort, "Bench Owner", "https://127.0.0.1:8445");
            int cores = Runtime.getRuntime().availableProcessors();
            String run = Long.toHexString(System.nanoTime());
            List<Pledge> all = pledges(pki, "B" + run, "127.0.0.1:" + masaPort, warmup + pledges);

            double rate;
            long[] latency;
            JvmCounters counted;
            ServerTls stack = ServerTls.configured();
            try (MasaService masa = MasaService.start(pki, db != null ? db : "jdbc:h2:file:" + dir.resolve("db/masa"),
                    new MasaService.Settings("127.0.0.1", masaPort, MasaService.Ownership.FIRST_CLAIM, Duration.ofDays(1)));
                    RegistrarService registrar = RegistrarService.start(pki, db != null ? db
                            : "jdbc:h2:file:" + dir.resolve("db/registrar"), new RegistrarService.Settings("127.0.0.1", 0,
                                    RegistrarService.Approval.AUTO, List.of(ManufacturerTrust.of(pki.mprCertificates())), Duration.ofDays(365),
                                    Duration.ofSeconds(1), false))) {
                URI uri = URI.create("https://127.0.0.1:" + registrar.port());
                load(uri, pki, all.subList(0, warmup));
                JvmCounters start = JvmCounters.now();
                long[] times = load(uri, pki, all.subList(warmup, all.size()));
                counted = JvmCounters.now().since(start);
                latency = Arrays.copyOf(times, times.length - 1);
                rate = latency.length / (times[times.length - 1] / 1e9);
            }

            Handshake handshake = handshakeSeconds(pki, stack, all.get(0));
            RawCrypto.Best raw = RawCrypto.measure(500);
            double crypto = SIGNATURES * raw.sign().seconds() + VERIFICATIONS * raw.verify().seconds() + raw.keyPair().seconds();
            double bound = cores / (handshake.probe().both() + handshake.authenticated().both() + crypto);

            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "brski bench: %d pledges after %d to warm up, %d concurrent, %d cores, server TLS %s, "
                    + "database %s%n", latency.length, warmup, concurrency, cores, stack,
                    db != null ? db.replaceAll("password=[^&]*", "password=***") : "embedded H2 files");
            System.out.printf(Locale.ROOT, "  onboardings per second:        %8.1f%n", rate);
            System.out.printf(Locale.ROOT, "  latency ms p50 / p90 / p99:    %8.1f / %.1f / %.1f%n", pct(latency, 0.5),
                    pct(latency, 0.9), pct(latency, 0.99));
            System.out.printf(Locale.ROOT, "  counted phase:                 %s%n", counted.line(latency.length, "onboarding"));
            System.out.printf(Locale.ROOT, "  TLS handshakes, both ends:     %8.3f ms C.0 (no client certificate) + %.3f ms with "
                    + "the IDevID, of one core (%s server, BCJSSE pledge; the server's part %.3f + %.3f ms)%n",
                    handshake.probe().both() * 1000, handshake.authenticated().both() * 1000, stack,
                    handshake.probe().server() * 1000, handshake.authenticated().server() * 1000);
            System.out.printf(Locale.ROOT, "  best raw P-256:                %s, %s, %s%n", raw.sign(), raw.verify(), raw.keyPair());
            System.out.printf(Locale.ROOT, "  crypto of one onboarding:      %8.3f ms of one core (%d signatures, %d verifications, "
                    + "1 key pair)%n", crypto * 1000, SIGNATURES, VERIFICATIONS);
            System.out.printf(Locale.ROOT, "  bound set by the cryptography: %8.1f onboardings/s%n", bound);
            System.out.printf(Locale.ROOT, "  ratio to the bound:            %8.2f%n", rate / bound);
            double serverOnly = counted.serverSecondsPer(latency.length);
            System.out.printf(Locale.ROOT, "  servers alone:                 %8.1f onboardings/s on %d cores (their threads' CPU per "
                    + "onboarding %.3f ms), ratio to the servers' share of the bound %.2f%n", cores / serverOnly, cores,
                    serverOnly * 1000, (cores / serverOnly) / (cores / serverShare(handshake, raw)));
            return 0;
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    /**
     * Pledges made before the clock: software keys and IDevIDs from the PKI's IDevID CA that name the
     * MASA at {@code masa}, serials {@code PREFIX-0} on.
     */
    static List<Pledge> pledges(Pki pki, String prefix, String masa, int n) throws Exception {
        Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        List<Pledge> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KeyPair key = KeyPairs.ecP256();
            String serial = prefix + "-" + i;
            list.add(new Pledge(serial, key, List.of(IdevidProfile.issue(ca.certificate(), ca.key(), null,
                    IdevidProfile.subject("Bench", "p", serial), key.getPublic(), masa, Instant.now().minusSeconds(60)),
                    ca.certificate())));
        }
        return list;
    }

    /** Every pledge, {@code concurrency} at a time; the last entry is the wall time. */
    private long[] load(URI uri, Pki pki, List<Pledge> list) throws Exception {
        return load(uri, pki, list, concurrency);
    }

    /**
     * Every pledge through the registrar at {@code uri}, {@code concurrency} at a time: each one's time,
     * then the wall time of all.
     */
    static long[] load(URI uri, Pki pki, List<Pledge> list, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long[] times = new long[list.size() + 1];
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    onboard(uri, pki, List.of(list.get(n)));
                    times[n] = System.nanoTime() - t;
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        times[list.size()] = System.nanoTime() - start;
        return times;
    }

    /** The pledge's whole exchange, as the device does it (without storage). */
    static void onboard(URI uri, Pki pki, List<Pledge> list) throws Exception {
        for (Pledge p : list) {
            PledgeSession s = new PledgeSession(uri, new TlsContexts.Credential(p.key().getPrivate(), p.chain()), p.serial(),
                    ManufacturerTrust.of(pki.mprCertificates()), Duration.ofSeconds(10), Duration.ofSeconds(60));
            s.connect();
            String nonce = Base64.getEncoder().encodeToString(nonce());
            PledgeSession.Accepted accepted = s.acceptVoucher(s.requestVoucher(s.voucherRequest(nonce)), nonce, Instant.now());
            s.voucherStatus(true, "voucher accepted");
            List<X509Certificate> cacerts = s.cacerts();
            s.csrKeyAlgorithm();
            KeyPair ldevidKey = KeyPairs.ecP256();
            List<X509Certificate> issued = s.enroll(csr(p.serial(), ldevidKey));
            List<X509Certificate> chain = new ArrayList<>(issued);
            chain.addAll(cacerts);
            LdevidProfile.check(chain, List.of(accepted.pinned()), ldevidKey.getPublic(), p.serial(), Instant.now());
            s.enrollStatus(true, "LDevID saved");
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static byte[] nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private static PKCS10CertificationRequest csr(String serial, KeyPair key) throws Exception {
        return CertificateBuilder.csr(new X500Name("SERIALNUMBER=" + serial), key.getPublic(), key.getPrivate(), null);
    }

    /**
     * The servers' part of the bound: their engine's share of the two handshakes, and their signatures (C.4, C.6, D.5) and verifications (all but the pledge's two).
     */
    private static double serverShare(Handshake h, RawCrypto.Best raw) {
        return h.probe().server() + h.authenticated().server() + 3 * raw.sign().seconds()
                + (VERIFICATIONS - 2) * raw.verify().seconds();
    }

    /** Seconds of one core for the pledge's two handshakes. */
    private record Handshake(Handshakes.Cost probe, Handshakes.Cost authenticated) {
    }

    /**
     * The handshakes as the pledge makes them on the servers' stack: C.0 without a client certificate,
     * then the IDevID as client certificate and the registrar's certificate pinned.
     */
    private static Handshake handshakeSeconds(Pki pki, ServerTls stack, Pledge p) throws Exception {
        Pki.Credential tls = pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        SSLContext server = stack.anyClient(new TlsContexts.Credential(tls.key(), List.of(tls.certificate(), pki.domainCa())));
        SSLContext probe = TlsContexts.provisional();
        SSLContext client = TlsContexts.pinned(tls.certificate(), new TlsContexts.Credential(p.key().getPrivate(), p.chain()));
        return new Handshake(Handshakes.secondsPerHandshake(probe, server, false, 2000),
                Handshakes.secondsPerHandshake(client, server, true, 2000));
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }
}
