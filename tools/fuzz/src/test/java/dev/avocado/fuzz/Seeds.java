package dev.avocado.fuzz;

import dev.avocado.protocol.brski.PledgeRequests;
import dev.avocado.protocol.dpp.DppUri;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.voucher.Rfc8995Vectors;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The seed corpus of each harness: the RFC 8995 example set (Appendix C) and messages the project
 * itself sends, made fresh with real keys.
 */
final class Seeds {

    /** The example set's CMS blobs (the voucher request, the registrar's, the voucher), base64. */
    private static final List<String> RFC8995_CMS = List.of("vr_00-D0-E5-F2-00-02.b64", "parboiled_vr_00-D0-E5-F2-00-02.b64",
            "voucher_00-D0-E5-F2-00-02.b64");

    private Seeds() {
    }

    static Map<String, byte[]> of(Class<?> harness) throws Exception {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        Instant now = Instant.now();
        KeyPair key = KeyPairs.ecP256();
        X509Certificate cert = MprProfile.issue(key, "O=Seed,CN=Seed", "127.0.0.1", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)));
        switch (harness.getSimpleName()) {
            case "VoucherCmsFuzzer" -> {
                for (String v : RFC8995_CMS) {
                    seeds.put("rfc8995-" + v, Rfc8995Vectors.bytes(v));
                    seeds.put("rfc8995-" + v + ".der", Rfc8995Vectors.cms(v));
                }
                Voucher request = PledgeRequests.create(OffsetDateTime.now(ZoneOffset.UTC), "SEED-1", "bm9uY2U", cert);
                seeds.put("own-pledge-request.der", VoucherCms.sign(request, key.getPrivate(), null, List.of(cert), false));
                seeds.put("own-pledge-request-signing-time.der", VoucherCms.sign(request, key.getPrivate(), null, List.of(cert)));
            }
            case "VoucherJsonFuzzer" -> {
                for (String v : RFC8995_CMS) {
                    seeds.put("rfc8995-" + v + ".json", VoucherCms.verify(Rfc8995Vectors.cms(v), null, Rfc8995Vectors.AT,
                            List.of()).json());
                }
                seeds.put("own-pledge-request.json", PledgeRequests.create(OffsetDateTime.now(ZoneOffset.UTC), "SEED-1",
                        "bm9uY2U", cert).toJson());
            }
            case "CsrFuzzer" -> seeds.put("own-csr.b64", Est.csr(CertificateBuilder.csr(new X500Name("SERIALNUMBER=SEED-1"),
                    key.getPublic(), key.getPrivate(), null)));
            case "EstCertsFuzzer" -> {
                seeds.put("own-certs-only.b64", Est.certsOnly(List.of(cert)));
                seeds.put("rfc8995-idevid-and-jrc.b64", Est.certsOnly(List.of(
                        Rfc8995Vectors.cert("idevid_00-D0-E5-F2-00-02.crt"), Rfc8995Vectors.cert("jrc_prime256v1.crt"))));
            }
            case "CsrAttrsFuzzer" -> {
                seeds.put("own-csrattrs.b64", Est.csrattrsEcP256());
                seeds.put("empty", new byte[0]);
            }
            case "DppUriFuzzer" -> seeds.put("own-dpp-uri", new DppUri("SN=SEED-1", key.getPublic()).toString()
                    .getBytes(StandardCharsets.UTF_8));
            case "ManifestFuzzer" -> seeds.put("own-manifest", ("0".repeat(63) + "a  bundles/avocado-api.jar\n"
                    + "1".repeat(64) + "  launcher/avocado-launcher.jar\n" + "2".repeat(64) + "  mpr.pem\n")
                    .getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("no seeds for " + harness.getName());
        }
        return seeds;
    }
}
