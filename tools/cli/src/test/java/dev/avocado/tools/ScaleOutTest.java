package dev.avocado.tools;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.testing.Postgres;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Two factories, two MASAs and three registrars, each its own process, on one PostgreSQL behind
 * HAProxy in TCP mode (client certificates reach the servers), as a manufacturer and an owner would
 * run them. Pledges get their IDevID through the factories' frontend and onboard through the
 * registrars' (which reach the MASAs through theirs); in the middle of the load one instance of each
 * kind is killed with SIGKILL. Every pledge completes, retrying what failed with the same request
 * (the same CSR, the same signed voucher request), and the databases hold exactly one IDevID, one
 * voucher (at the MASA and at the registrar) and one LDevID per pledge: the ones the pledge received.
 */
public class ScaleOutTest {

    private static final int PLEDGES = 48;
    private static final int CONCURRENCY = 6;
    /** Steps asked again, by what broke them: evidence that the kills hit requests in flight. */
    private static final Map<String, AtomicInteger> RETRIED = new ConcurrentHashMap<>();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** What a pledge was given. */
    private record Received(X509Certificate idevid, byte[] voucher, X509Certificate ldevid) {
    }

    @Test
    public void everyPledgeCompletesWhileOneInstanceOfEachKindIsKilled() throws Exception {
        Path dir = tmp.getRoot().toPath();
        int factoryFront = Ports.free();
        int masaFront = Ports.free();
        int registrarFront = Ports.free();
        Pki pki = new Pki(dir.resolve("pki"));
        pki.init("Scale", "https://127.0.0.1:" + factoryFront, "127.0.0.1:" + masaFront, "Scale Owner",
                "https://127.0.0.1:" + registrarFront);
        List<Cli.Background> all = new ArrayList<>();
        try (Postgres pg = Postgres.start()) {
            String db = pg.jdbcUrl();
            String folder = pki.folder().toString();
            Map<String, List<Cli.Background>> servers = new HashMap<>();
            Map<String, List<Integer>> ports = new HashMap<>();
            for (String[] kind : new String[][] {{"factory", "2", "factory provisioning service: "}, {"masa", "2", "MASA: https"},
                    {"registrar", "3", "registrar: https"}}) {
                for (int i = 0; i < Integer.parseInt(kind[1]); i++) {
                    int port = Ports.free();
                    List<String> args = new ArrayList<>(List.of(kind[0], "serve", "--pki", folder, "--db", db, "--port",
                            Integer.toString(port)));
                    args.addAll(switch (kind[0]) {
                        case "factory" -> List.of("--open");
                        case "masa" -> List.of("--ownership", "first-claim");
                        default -> List.of("--no-dns-sd", "--approval", "auto");
                    });
                    Cli.Background b = Cli.serve(null, kind[2], args.toArray(String[]::new));
                    all.add(b);
                    servers.computeIfAbsent(kind[0], k -> new ArrayList<>()).add(b);
                    ports.computeIfAbsent(kind[0], k -> new ArrayList<>()).add(port);
                }
            }
            Map<String, Haproxy.Frontend> frontends = Haproxy.frontends();
            frontends.put("factory", new Haproxy.Frontend(factoryFront, ports.get("factory")));
            frontends.put("masa", new Haproxy.Frontend(masaFront, ports.get("masa")));
            frontends.put("registrar", new Haproxy.Frontend(registrarFront, ports.get("registrar")));
            try (Haproxy lb = Haproxy.start(dir, frontends)) {
                Map<String, Received> received = load(pki, factoryFront, registrarFront, servers);
                assertEquals(PLEDGES, received.size());
                check(db, received);
                System.out.println("scale-out: " + PLEDGES + " pledges completed; steps asked again: " + RETRIED);
            }
        } finally {
            for (Cli.Background b : all) {
                b.close();
            }
        }
    }

    /** The pledges, CONCURRENCY at a time; one instance of each kind killed once a third are done. */
    private static Map<String, Received> load(Pki pki, int factoryFront, int registrarFront,
            Map<String, List<Cli.Background>> servers) throws Exception {
        SSLContext factoryTls = TlsContexts.manufacturerServer(ManufacturerTrust.of(pki.mprCertificates()), "127.0.0.1", null);
        URI enroll = URI.create("https://127.0.0.1:" + factoryFront + Est.SIMPLEENROLL);
        URI registrar = URI.create("https://127.0.0.1:" + registrarFront);
        Map<String, Received> received = new ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < PLEDGES; i++) {
                String serial = "SCALE-" + i;
                futures.add(pool.submit(() -> {
                    received.put(serial, pledge(pki, factoryTls, enroll, registrar, serial));
                    done.incrementAndGet();
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (done.get() < PLEDGES / 3) {
                assertTrue("a third of the pledges within 3 minutes", System.nanoTime() < deadline);
                Thread.sleep(20);
            }
            int before = done.get();
            for (String kind : List.of("masa", "registrar", "factory")) {
                Cli.Background victim = servers.get(kind).get(0);
                victim.kill();
                assertFalse(kind + " is dead", victim.process.isAlive());
                Thread.sleep(150);
            }
            assertTrue("the kills came in the middle of the load (" + before + " done)", before < PLEDGES - CONCURRENCY);
            for (Future<?> f : futures) {
                f.get(4, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return received;
    }

    /**
     * A pledge as a device does it: its IDevID from the factory, then the voucher and the LDevID from the
     * registrar; each step asked again with the same request until it is answered.
     */
    private static Received pledge(Pki pki, SSLContext factoryTls, URI enroll, URI registrar, String serial) throws Exception {
        KeyPair key = KeyPairs.ecP256();
        byte[] csr = FactoryBench.csr(serial, key);
        List<X509Certificate> idevid = retry(serial + " O.4", () -> Est.parseCertsOnly(FactoryBench.enroll(factoryTls, enroll, csr)));
        List<X509Certificate> chain = new ArrayList<>(idevid);
        PledgeSession s = new PledgeSession(registrar, new TlsContexts.Credential(key.getPrivate(), chain), serial,
                ManufacturerTrust.of(pki.mprCertificates()), Duration.ofSeconds(5), Duration.ofSeconds(30));
        retry(serial + " C.0", s::connect);
        String nonce = Base64.getEncoder().encodeToString(serial.getBytes(StandardCharsets.US_ASCII));
        byte[] request = s.voucherRequest(nonce);
        byte[] voucher = retry(serial + " C.2", () -> s.requestVoucher(request));
        s.acceptVoucher(voucher, nonce, Instant.now());
        retry(serial + " voucher status", () -> {
            s.voucherStatus(true, "voucher accepted");
            return null;
        });
        KeyPair ldevidKey = KeyPairs.ecP256();
        PKCS10CertificationRequest ldevidCsr = CertificateBuilder.csr(new X500Name("SERIALNUMBER=" + serial),
                ldevidKey.getPublic(), ldevidKey.getPrivate(), null);
        List<X509Certificate> ldevid = retry(serial + " D.4", () -> s.enroll(ldevidCsr));
        retry(serial + " enroll status", () -> {
            s.enrollStatus(true, "LDevID saved");
            return null;
        });
        return new Received(idevid.get(0), voucher, ldevid.get(0));
    }

    /**
     * A step until it is answered: a connection that broke, a 5xx (a server behind the one asked is
     * gone) and a 409 for a race between instances are asked again; any other refusal fails the test.
     */
    private static <T> T retry(String what, Callable<T> step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int attempt = 1;; attempt++) {
            try {
                return step.call();
            } catch (IOException | PledgeSession.RegistrarAnswer | IllegalStateException e) {
                boolean again = e instanceof IOException
                        || e instanceof PledgeSession.RegistrarAnswer a && (a.status() >= 500 || a.status() == 409)
                        || e instanceof IllegalStateException && String.valueOf(e.getMessage()).matches("factory: HTTP (5\\d\\d|409).*");
                if (!again || System.nanoTime() > deadline) {
                    throw new AssertionError(what + " failed after " + attempt + " attempts: " + e, e);
                }
                RETRIED.computeIfAbsent(what.substring(what.indexOf(' ') + 1) + " (" + e.getClass().getSimpleName() + ")",
                        k -> new AtomicInteger()).incrementAndGet();
                Thread.sleep(100L * Math.min(attempt, 10));
            }
        }
    }

    /** One row per pledge in each table, holding exactly what the pledge received. */
    private static void check(String db, Map<String, Received> received) throws Exception {
        try (Connection c = DriverManager.getConnection(db)) {
            Map<String, List<String>> idevids = column(c, "SELECT serial, certificate FROM idevids");
            Map<String, List<String>> masa = column(c, "SELECT serial, voucher FROM masa_vouchers");
            Map<String, List<String>> vouchers = column(c, "SELECT serial, voucher FROM registrar_vouchers");
            Map<String, List<String>> ldevids = column(c, "SELECT serial, certificate FROM registrar_ldevids");
            for (Map<String, List<String>> table : List.of(idevids, masa, vouchers, ldevids)) {
                assertEquals(received.keySet(), table.keySet());
            }
            for (Map.Entry<String, Received> e : received.entrySet()) {
                String serial = e.getKey();
                Received r = e.getValue();
                assertEquals(serial + ": IDevIDs issued", 1, idevids.get(serial).size());
                assertEquals(serial, r.idevid(), certificate(idevids.get(serial).get(0)));
                assertEquals(serial + ": vouchers the MASA logged", 1, masa.get(serial).size());
                assertArrayEquals(serial, r.voucher(), Base64.getDecoder().decode(masa.get(serial).get(0)));
                assertEquals(serial + ": vouchers the registrars handed out", 1, vouchers.get(serial).size());
                assertArrayEquals(serial, r.voucher(), Base64.getDecoder().decode(vouchers.get(serial).get(0)));
                assertEquals(serial + ": LDevIDs issued", 1, ldevids.get(serial).size());
                assertEquals(serial, r.ldevid(), certificate(ldevids.get(serial).get(0)));
            }
        }
    }

    private static Map<String, List<String>> column(Connection c, String sql) throws Exception {
        Map<String, List<String>> rows = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return rows;
    }

    private static X509Certificate certificate(String pem) throws IOException {
        return Pem.readCertificates(pem.getBytes(StandardCharsets.US_ASCII), "row").get(0);
    }
}
