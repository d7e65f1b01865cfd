package dev.avocado.registrar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.testing.Postgres;
import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.x509.KeyPairs;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The MASA and the registrar on one PostgreSQL database (their tables apart by prefix), as in production. */
public class PostgresOnboardingTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void masaAndRegistrarShareOnePostgresDatabase() throws Exception {
        try (Postgres pg = Postgres.start();
                Parties parties = new Parties(tmp.getRoot().toPath(), pg.jdbcUrl(), pg.jdbcUrl())
                        .start(RegistrarService.Approval.AUTO, MasaService.Ownership.FIRST_CLAIM)) {
            for (String serial : List.of("SN-PG-1", "SN-PG-2")) {
                Parties.Device d = parties.device(serial);
                PledgeSession s = new PledgeSession(parties.registrarUri(), d.credential(), serial, parties.trust(),
                        Duration.ofSeconds(5), Duration.ofSeconds(30));
                s.connect();
                String nonce = "cGctbm9uY2UtMDE";
                s.acceptVoucher(s.requestVoucher(s.voucherRequest(nonce)), nonce, Instant.now());
                s.voucherStatus(true, "voucher accepted");
                KeyPair key = KeyPairs.ecP256();
                s.enroll(new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=" + serial), key.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            }
            try (RegistrarService.Admin admin = RegistrarService.admin(pg.jdbcUrl())) {
                assertEquals(2, admin.count("vouchers"));
                assertEquals(2, admin.count("ldevids"));
                assertTrue(admin.pledges().toString(), admin.pledges().stream().allMatch(l -> l.contains("enrolled")));
            }
            try (MasaService.Admin admin = MasaService.admin(pg.jdbcUrl())) {
                assertEquals(2, admin.vouchers(null).size());
                assertEquals(2, admin.claims().size());
            }
        }
    }
}
