package dev.avocado.tools;

import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.DomainCerts;
import dev.avocado.protocol.brski.PledgeRequests;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.brski.RegistrarRequests;
import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.registrar.RegistrarService;
import dev.avocado.server.CsrPolicy;
import dev.avocado.server.Pki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
 * Registrar and MASA under load: N simulated pledges (software keys, the device's own pledge code)
 * onboard C at a time, each the whole exchange (C.0 to C.10, voucher_status, cacerts, csrattrs,
 * simpleenroll, enrollstatus). The bound set by the cryptography alone is measured in the same run:
 * the TLS handshakes a pledge makes, plus every signature, verification and key pair of one
 * onboarding by the same code with no network and no database, spread over the cores.
 */
@Command(name = "brski", mixinStandardHelpOptions = true,
        description = "Onboardings per second of registrar + MASA, against the bound set by the cryptography alone.")
final class BrskiBench implements Callable<Integer> {

    /** TLS connections a pledge opens: the C.0 handshake, and the HTTP connection it keeps from C.2 to enrollstatus. */
    static final int HANDSHAKES = 2;
    /** The services log each step and each first claim; not during a benchmark (held: JUL keeps loggers weakly). */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("dev.avocado.masa",
            "dev.avocado.registrar").map(java.util.logging.Logger::getLogger).toList();

    @Option(names = "--pledges", defaultValue = "400", description = "Onboardings. Default: ${DEFAULT-VALUE}.")
    int pledges;

    @Option(names = "--concurrency", defaultValue = "8", description = "Pledges at a time. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "One database for both (PostgreSQL, say). Default: "
            + "embedded H2 files.")
    String db;

    /** A pledge made before the clock starts: its key and IDevID. */
    private record Pledge(String serial, KeyPair key, List<X509Certificate> chain) {
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
            List<Pledge> all = new ArrayList<>();
            Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
            for (int i = 0; i < pledges; i++) {
                KeyPair key = KeyPairs.ecP256();
                String serial = "B" + run + "-" + i;
                all.add(new Pledge(serial, key, List.of(IdevidProfile.issue(ca.certificate(), ca.key(), null,
                        IdevidProfile.subject("Bench", "p", serial), key.getPublic(), "127.0.0.1:" + masaPort,
                        Instant.now().minusSeconds(60)), ca.certificate())));
            }

            double handshake = handshakeSeconds(pki, all.get(0));
            double crypto = cryptoSeconds(pki, all.subList(0, Math.min(200, all.size())));
            double bound = cores / (HANDSHAKES * handshake + crypto);

            double rate;
            long[] latency;
            try (MasaService masa = MasaService.start(pki, db != null ? db : "jdbc:h2:file:" + dir.resolve("db/masa"),
                    new MasaService.Settings("127.0.0.1", masaPort, MasaService.Ownership.FIRST_CLAIM, Duration.ofDays(1)));
                    RegistrarService registrar = RegistrarService.start(pki, db != null ? db
                            : "jdbc:h2:file:" + dir.resolve("db/registrar"), new RegistrarService.Settings("127.0.0.1", 0,
                                    RegistrarService.Approval.AUTO, List.of(ManufacturerTrust.of(pki.mprCertificates())), Duration.ofDays(365),
                                    Duration.ofSeconds(1), false))) {
                URI uri = URI.create("https://127.0.0.1:" + registrar.port());
                onboard(uri, pki, all.subList(0, Math.min(20, all.size()))); // warm both ends
                long[] times = load(uri, pki, all.subList(Math.min(20, all.size()), all.size()));
                latency = Arrays.copyOf(times, times.length - 1);
                rate = latency.length / (times[times.length - 1] / 1e9);
            }
            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "brski bench: %d pledges (after 20 to warm up), %d concurrent, %d cores, database %s%n",
                    latency.length, concurrency, cores, db != null ? db.replaceAll("password=[^&]*", "password=***")
                            : "embedded H2 files");
            System.out.printf(Locale.ROOT, "  onboardings per second:        %8.1f%n", rate);
            System.out.printf(Locale.ROOT, "  latency ms p50 / p90 / p99:    %8.1f / %.1f / %.1f%n", pct(latency, 0.5),
                    pct(latency, 0.9), pct(latency, 0.99));
            System.out.printf(Locale.ROOT, "  TLS handshake, both ends:      %8.3f ms of one core, %d per onboarding%n",
                    handshake * 1000, HANDSHAKES);
            System.out.printf(Locale.ROOT, "  crypto of one onboarding:      %8.3f ms of one core (pledge, registrar, MASA)%n",
                    crypto * 1000);
            System.out.printf(Locale.ROOT, "  bound set by the cryptography: %8.1f onboardings/s%n", bound);
            System.out.printf(Locale.ROOT, "  ratio to the bound:            %8.2f%n", rate / bound);
            return 0;
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    /** Every pledge, {@code concurrency} at a time; the last entry is the wall time. */
    private long[] load(URI uri, Pki pki, List<Pledge> list) throws Exception {
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
    private static void onboard(URI uri, Pki pki, List<Pledge> list) throws Exception {
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

    /** A handshake as the pledge makes it: the IDevID as client certificate, the registrar's as server's. */
    private static double handshakeSeconds(Pki pki, Pledge p) throws Exception {
        Pki.Credential tls = pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        SSLContext server = TlsContexts.anyClient(new TlsContexts.Credential(tls.key(), List.of(tls.certificate(),
                pki.domainCa())));
        SSLContext client = TlsContexts.pinned(pki.domainCa(), new TlsContexts.Credential(p.key().getPrivate(), p.chain()));
        return Handshakes.secondsPerHandshake(client, server, 300, true);
    }

    /**
     * Seconds of one core per onboarding for its signatures, verifications and key pairs: the same
     * protocol code the three parties run, with no network and no database.
     */
    private static double cryptoSeconds(Pki pki, List<Pledge> list) throws Exception {
        Pki.Credential registrarTls = pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        Pki.Credential signer = pki.load(Pki.OWNER, Pki.REGISTRAR);
        Pki.Credential masa = pki.load(Pki.MANUFACTURER, Pki.MASA);
        Pki.Credential domain = pki.load(Pki.OWNER, Pki.DOMAIN_CA);
        List<X509Certificate> manufacturer = List.of(pki.root());
        ManufacturerTrust trust = ManufacturerTrust.of(pki.mprCertificates());
        List<X509Certificate> idevidCas = List.of(pki.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA));
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            long t = System.nanoTime();
            for (Pledge p : list) {
                Instant now = Instant.now();
                String nonce = "bm9uY2Utbm9uY2Utbm9uY2U";
                // pledge C.1
                byte[] pvr = VoucherCms.sign(PledgeRequests.create(OffsetDateTime.now(), p.serial(), nonce,
                        registrarTls.certificate()), p.key().getPrivate(), null, p.chain());
                // registrar C.3 (and the IDevID of the TLS connection), C.4
                VoucherCms.Signed pledgeSigned = VoucherCms.verify(pvr, null, now, List.of());
                IdevidProfile.check(p.chain(), manufacturer, now);
                PledgeRequests.check(pledgeSigned, p.chain().get(0), registrarTls.certificate());
                Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), pledgeSigned.voucher(), pvr, p.chain().get(0));
                byte[] rvrCms = VoucherCms.sign(rvr, signer.key(), null, List.of(signer.certificate(), domain.certificate()));
                // MASA C.5, C.6
                RegistrarRequests.Checked checked = RegistrarRequests.check(VoucherCms.verify(rvrCms, null, now, List.of()),
                        manufacturer, idevidCas, now);
                DomainCerts.domainId(checked.domain());
                byte[] voucher = VoucherCms.sign(Vouchers.create(checked, "logged", now, now.plusSeconds(86400)), masa.key(),
                        null, List.of(masa.certificate()));
                // registrar C.8, pledge C.10
                for (int side = 0; side < 2; side++) {
                    Vouchers.check(Vouchers.verify(voucher, trust, now), p.serial(), nonce, now);
                }
                // D.1 to D.6
                KeyPair ldevidKey = KeyPairs.ecP256();
                CsrPolicy.Accepted accepted = CsrPolicy.check(Est.parseCsr(Est.csr(csr(p.serial(), ldevidKey))));
                X509Certificate ldevid = LdevidProfile.issue(domain.certificate(), domain.key(),
                        LdevidProfile.subject("Bench Owner", p.serial()), accepted.publicKey(), now, now.plusSeconds(86400));
                LdevidProfile.check(List.of(ldevid, domain.certificate()), List.of(domain.certificate()), ldevidKey.getPublic(),
                        p.serial(), now);
            }
            if (round == 1) {
                return (System.nanoTime() - t) / 1e9 / list.size();
            }
        }
        throw new IllegalStateException();
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }
}
