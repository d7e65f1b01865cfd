package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.StatusReport;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.Pki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * C.10 and D.0 on the device against a registrar that lies: real TLS, real CMS, each voucher wrong in
 * one way, among them a voucher forged by an attacker who holds a genuine IDevID of the same
 * manufacturer (docs/security.md, attack 1) and one signed by the manufacturer's factory TLS key.
 * The device refuses each one saying why, reports it with voucher_status, and stores nothing.
 */
public class RogueRegistrarTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** One lie per voucher request, in this order. */
    private enum Lie {
        /** Attack 1: a genuine IDevID bought with a device, named like the MASA, signs the voucher. */
        GENUINE_IDEVID("lacks the MASA voucher-signing role"),
        /** The manufacturer's own factory TLS certificate, under the same root, is no MASA signer either. */
        FACTORY_TLS("lacks the MASA voucher-signing role"),
        OTHER_MANUFACTURER("does not chain to the MASA voucher-signing anchor"),
        WRONG_NONCE("is not the nonce"),
        WRONG_SERIAL("the voucher is for serial-number SN-OTHER, not SN-ROGUE-1"),
        EXPIRED("the voucher expired at"),
        OTHER_DOMAIN("is not in the pinned domain"),
        NOT_CMS("not a CMS SignedData");

        final String refusal;

        Lie(String refusal) {
            this.refusal = refusal;
        }
    }

    @Test
    public void everyBadVoucherIsRefusedSayingWhyAndNothingIsStored() throws Exception {
        Pki acme = new Pki(tmp.newFolder("acme").toPath());
        acme.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:8444", "Example Owner", "https://127.0.0.1:8445");
        Pki other = new Pki(tmp.newFolder("other").toPath());
        other.init("Globex", "https://127.0.0.1:8443", "127.0.0.1:8444", "Rival Owner", "https://127.0.0.1:8445");

        DeviceImage image = new ImageBuilder(acme, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve("device"), null, false, "soft", null, null,
                        MprAnchoring.Content.CERTIFICATE, "SN-ROGUE-1");
        provisioned(acme, image, "SN-ROGUE-1");

        AtomicInteger requests = new AtomicInteger();
        List<StatusReport> reports = new CopyOnWriteArrayList<>();
        Pki.Credential tls = acme.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        Pki.Credential masa = acme.load(Pki.MANUFACTURER, Pki.MASA);
        Pki.Credential otherMasa = other.load(Pki.MANUFACTURER, Pki.MASA);
        Pki.Credential factoryTls = acme.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
        Pki.Credential idevidCa = acme.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        KeyPair attackerKey = KeyPairs.ecP256();
        Pki.Credential attacker = new Pki.Credential(IdevidProfile.issue(idevidCa.certificate(), idevidCa.key(), null,
                IdevidProfile.subject("Acme", "masa.acme.example", "ATTACKER-1"), attackerKey.getPublic(), "127.0.0.1:8444",
                Instant.now().minusSeconds(60)), attackerKey.getPrivate(), List.of(idevidCa.certificate()));
        try (HttpsServer rogue = HttpsServer.builder("rogue").bind("127.0.0.1", 0)
                .tls(TlsContexts.anyClient(new TlsContexts.Credential(tls.key(), List.of(tls.certificate(), acme.domainCa()))),
                        HttpsServer.ClientAuth.WANT)
                .route("POST", Brski.REQUEST_VOUCHER, ex -> {
                    Voucher request = VoucherCms.verify(ex.body(), null, Instant.now(), List.of()).voucher();
                    Lie lie = Lie.values()[Math.min(requests.getAndIncrement(), Lie.values().length - 1)];
                    OffsetDateTime now = OffsetDateTime.now();
                    X509Certificate pinned = lie == Lie.OTHER_DOMAIN ? other.domainCa() : acme.domainCa();
                    Voucher v = Voucher.voucher(now, lie == Lie.EXPIRED ? now.minusMinutes(1) : now.plusDays(1), "logged",
                            lie == Lie.WRONG_SERIAL ? "SN-OTHER" : request.serialNumber(), null, pinned.getEncoded(),
                            lie == Lie.WRONG_NONCE ? "b3RoZXItbm9uY2U" : request.nonce());
                    Pki.Credential signer = switch (lie) {
                        case OTHER_MANUFACTURER -> otherMasa;
                        case GENUINE_IDEVID -> attacker;
                        case FACTORY_TLS -> factoryTls;
                        default -> masa;
                    };
                    byte[] body = lie == Lie.NOT_CMS ? "this is no voucher".getBytes()
                            : VoucherCms.sign(v, signer.key(), null, signer.withChain());
                    return HttpsServer.Reply.of(200, VoucherCms.MEDIA_TYPE, body);
                })
                .route("POST", Brski.VOUCHER_STATUS, ex -> {
                    reports.add(StatusReport.parse(ex.body()));
                    return HttpsServer.Reply.text(200, "recorded");
                })
                .start()) {
            DeviceConfig.onboarding(image, "https://127.0.0.1:" + rogue.port(), null, null);
            try (Cli.Background device = Cli.device(image, "--batch", "--until", "onboarded", "--timeout", "120")) {
                for (Lie lie : Lie.values()) {
                    device.awaitLine(l -> l.contains("C.10 failed: the voucher does not pass: ") && l.contains(lie.refusal),
                            60_000);
                }
                device.kill();
            }
        }
        assertEquals(reports.toString(), Lie.values().length, reports.size());
        for (int i = 0; i < reports.size(); i++) {
            assertFalse(reports.get(i).toString(), reports.get(i).status());
            assertTrue(reports.get(i).reason(), reports.get(i).reason().contains(Lie.values()[i].refusal));
        }
        try (java.util.stream.Stream<Path> identity = Files.list(image.data().resolve("identity"))) {
            List<String> names = identity.map(f -> f.getFileName().toString()).toList();
            assertTrue("only the IDevID and its attributes, nothing of an LDevID or voucher: " + names,
                    names.stream().allMatch(n -> n.startsWith("idevid.")));
        }
        assertFalse("no LDevID key", Files.exists(image.data().resolve("keys/ldevid.p8")));
        Path network = image.data().resolve("network");
        if (Files.isDirectory(network)) {
            try (java.util.stream.Stream<Path> files = Files.list(network)) {
                assertEquals("no network profile", List.of(), files.toList());
            }
        }
    }

    /** The device as the factory leaves it: an IDevID, its key, the record done. */
    static void provisioned(Pki pki, DeviceImage image, String serial) throws Exception {
        Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        KeyPair key = KeyPairs.ecP256();
        X509Certificate idevid = IdevidProfile.issue(ca.certificate(), ca.key(), null,
                IdevidProfile.subject("Acme", "Thing", serial), key.getPublic(), "127.0.0.1:8444", Instant.now().minusSeconds(60));
        Path keys = Files.createDirectories(image.data().resolve("keys"));
        Path identity = Files.createDirectories(image.data().resolve("identity"));
        Files.writeString(keys.resolve("idevid.p8"), Pem.encode(key.getPrivate()));
        Files.writeString(identity.resolve("idevid.pem"), Pem.encode(idevid) + Pem.encode(ca.certificate()));
        Files.writeString(identity.resolve("idevid.recorded"), Instant.now() + "\n");
    }
}
