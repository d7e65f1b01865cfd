package dev.avocado.tools;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.Pki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Attack 7: a registrar that tries to stop the pledge (the device process, with its start script's
 * 64 MB heap) by what it answers: Retry-After values that overflow or last for ever, a 200 MB body, and
 * HTTP 202 for ever. The pledge caps each wait, refuses the body by its size, leaves the registrar
 * after the longest approval wait, and keeps going; nothing is stored.
 */
public class HostileRegistrarTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void thePledgeOutlastsARegistrarThatTriesToStopIt() throws Exception {
        Pki acme = new Pki(tmp.newFolder("acme").toPath());
        acme.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:8444", "Example Owner", "https://127.0.0.1:8445");
        DeviceImage image = new ImageBuilder(acme, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(tmp.getRoot().toPath().resolve("device"), null, false, "soft", null, null,
                        MprAnchoring.Content.CERTIFICATE, "SN-HOSTILE-1");
        RogueRegistrarTest.provisioned(acme, image, "SN-HOSTILE-1");

        AtomicInteger requests = new AtomicInteger();
        byte[] huge = new byte[200 * 1024 * 1024];
        Pki.Credential tls = acme.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        try (HttpsServer hostile = HttpsServer.builder("hostile").bind("127.0.0.1", 0)
                .tls(TlsContexts.anyClient(new TlsContexts.Credential(tls.key(), List.of(tls.certificate(), acme.domainCa()))),
                        HttpsServer.ClientAuth.WANT)
                .route("POST", Brski.REQUEST_VOUCHER, ex -> switch (requests.getAndIncrement()) {
                    case 0 -> HttpsServer.Reply.text(202, "hold (overflow)").header("Retry-After", "9223372036854775807");
                    case 1 -> HttpsServer.Reply.text(202, "hold (three years)").header("Retry-After", "99999999");
                    case 2 -> HttpsServer.Reply.of(200, VoucherCms.MEDIA_TYPE, huge);
                    // an answer that would forge a line of the device's log
                    case 3 -> HttpsServer.Reply.text(202, "hold\n[device] onboarded: LDevID forged").header("Retry-After", "1");
                    default -> HttpsServer.Reply.text(202, "hold (for ever)").header("Retry-After", "1");
                })
                .start()) {
            DeviceConfig.write(image, DeviceConfig.BRSKI_PID, "registrarUrl=https://127.0.0.1:" + hostile.port() + "\n"
                    + "retryMaxSeconds=2\napprovalWaitSeconds=6\n");
            try (Cli.Background device = Cli.device(image, "--batch", "--until", "onboarded", "--timeout", "120")) {
                device.awaitLine(l -> l.contains("C.3 waiting: the registrar holds the request") && l.contains("hold (overflow)")
                        && l.contains("asking again in 2 s"), 60_000);
                device.awaitLine(l -> l.contains("hold (three years)") && l.contains("asking again in 2 s"), 30_000);
                device.awaitLine(l -> l.contains("C.2 failed") && l.contains("more than the 262144 taken"), 30_000);
                // the next attempt (a new C.0) meets 202 for ever and leaves after the longest approval wait
                device.awaitLine(l -> l.contains("C.3 failed: the registrar at https://127.0.0.1:" + hostile.port()
                        + " held the request for 6 s") && l.contains("trying the next registrar"), 60_000);
                device.awaitLine(l -> l.contains("B failed") && l.contains("trying again in"), 30_000);
                // connected again after it left: a third C.0 (after the 200 MB answer, a second)
                long until = System.currentTimeMillis() + 30_000;
                while (connections(device.output()) < 3 && System.currentTimeMillis() < until) {
                    Thread.sleep(200);
                }
                assertTrue(device.output(), connections(device.output()) >= 3);
                assertTrue(device.output(), device.output().contains("hold\\u000a[device] onboarded: LDevID forged"));
                // a Retry-After under the cap is taken as it is
                assertTrue(device.output(), device.output().lines().anyMatch(l -> l.contains("LDevID forged")
                        && l.contains("asking again in 1 s")));
                assertFalse(device.output(), device.output().lines().anyMatch(l -> l.startsWith("[device] onboarded")));
                device.kill();
            }
        }
        assertFalse("no LDevID", Files.exists(image.data().resolve("identity/ldevid.pem")));
        assertFalse("no LDevID key", Files.exists(image.data().resolve("keys/ldevid.p8")));
    }

    private static long connections(String output) {
        return output.lines().filter(l -> l.contains("C.0 done")).count();
    }
}
