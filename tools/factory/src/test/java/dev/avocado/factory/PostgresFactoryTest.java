package dev.avocado.factory;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.testing.Postgres;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Two factory service instances on one PostgreSQL, started together and hit concurrently with
 * competing requests (one serial, several keys): the database lets exactly one live IDevID per serial
 * through.
 */
public class PostgresFactoryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void twoInstancesNeverIssueTwoLiveIdevidsForOneSerial() throws Exception {
        Pki pki = new Pki(tmp.newFolder("pki").toPath());
        pki.init("Acme", "https://127.0.0.1:8443", "masa.acme.test:8444");
        try (Postgres pg = Postgres.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            FactoryService.Settings settings = new FactoryService.Settings("127.0.0.1", 0, "masa.acme.test:8444", false, List.of());
            // both instances create or find the schema at the same moment
            Future<FactoryService> fa = pool.submit(() -> FactoryService.start(pki, pg.jdbcUrl(), settings));
            Future<FactoryService> fb = pool.submit(() -> FactoryService.start(pki, pg.jdbcUrl(), settings));
            try (FactoryService a = fa.get(); FactoryService b = fb.get()) {
                HttpClient http = Clients.client(pki.root(), null);
                int serials = 20;
                int keysPerSerial = 3;
                Map<String, AtomicInteger> issued = new ConcurrentHashMap<>();
                AtomicInteger conflicts = new AtomicInteger();
                List<Future<?>> requests = new ArrayList<>();
                for (int s = 0; s < serials; s++) {
                    String serial = "SN-" + s;
                    for (int k = 0; k < keysPerSerial; k++) {
                        FactoryService target = k % 2 == 0 ? a : b;
                        requests.add(pool.submit(() -> {
                            HttpResponse<byte[]> r = Clients.post(http, URI.create("https://127.0.0.1:" + target.port()
                                    + Est.SIMPLEENROLL), Est.PKCS10, Clients.enrollBody("SERIALNUMBER=" + serial, KeyPairs.ecP256()));
                            if (r.statusCode() == 200) {
                                issued.computeIfAbsent(serial, x -> new AtomicInteger()).incrementAndGet();
                            } else if (r.statusCode() == 403 && new String(r.body()).contains("has a live IDevID")) {
                                // taken (told to a caller that is no station as "not planned, or taken")
                                conflicts.incrementAndGet();
                            } else {
                                throw new AssertionError(r.statusCode() + ": " + new String(r.body()));
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : requests) {
                    f.get();
                }
                assertEquals(serials, issued.size());
                issued.forEach((serial, n) -> assertEquals(serial + " got one IDevID", 1, n.get()));
                assertEquals(serials * (keysPerSerial - 1), conflicts.get());
                try (FactoryService.Admin admin = FactoryService.admin(pg.jdbcUrl())) {
                    List<String> rows = admin.devices();
                    assertEquals(serials, rows.size());
                    assertTrue(rows.stream().allMatch(r -> r.contains(" live ")));
                }
            }
            pool.shutdownNow();
        }
    }

    /** The constraint itself, without waiting for a race: a second live IDevID for a serial does not commit. */
    @Test
    public void theDatabaseRefusesASecondLiveIdevidForASerial() throws Exception {
        try (Postgres pg = Postgres.start();
                dev.avocado.server.Database db = dev.avocado.server.Database.open(pg.jdbcUrl(), "factory", DeviceRegistry.SCHEMA)) {
            DeviceRegistry registry = new DeviceRegistry(db);
            java.security.KeyPair k = KeyPairs.ecP256();
            java.security.cert.X509Certificate cert = dev.avocado.protocol.x509.CertificateBuilder.subject("CN=t", k.getPublic())
                    .selfSigned(k.getPrivate()).validity(java.time.Instant.now(), java.time.Instant.now().plusSeconds(60))
                    .endEntity().build();
            db.transaction(c -> {
                registry.insertLive(c, "SN-U", cert, "test");
                return null;
            });
            java.sql.SQLException second = org.junit.Assert.assertThrows(java.sql.SQLException.class, () -> db.transaction(c -> {
                registry.insertLive(c, "SN-U", cert, "test");
                return null;
            }));
            assertEquals(second.getMessage(), dev.avocado.server.Database.UNIQUE_VIOLATION, second.getSQLState());
        }
    }
}
