package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.factory.FactoryService;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * 'registrar manufacturer': a network owner reads a manufacturer's intermediates from its published
 * cacerts, trusting only its MPR, and 'registrar serve' refuses a file whose CA is not under that root.
 */
public class ManufacturerFileTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theManufacturersCacertsBecomeItsKnownIntermediatesAndAForeignCaIsRefused() throws Exception {
        int port = Cli.freePort();
        Pki acme = new Pki(tmp.newFolder("acme").toPath());
        acme.init("Acme", "https://127.0.0.1:" + port, "masa.acme.test:8444");
        Path file = tmp.getRoot().toPath().resolve("acme-manufacturer.pem");
        try (FactoryService factory = FactoryService.start(acme, "jdbc:h2:mem:mf", new FactoryService.Settings("127.0.0.1", port,
                "masa.acme.test:8444", false, List.of()))) {
            Cli.Run fetched = Cli.run("registrar", "manufacturer", "--mpr", acme.mpr().toString(), "--out", file.toString());
            assertEquals(fetched.output(), 0, fetched.code());
            assertTrue(fetched.output(), fetched.output().contains("intermediates CN=Acme IDevID CA,O=Acme (from https://127.0.0.1:" + port));
        }
        assertEquals(List.of(acme.root(), acme.certificate(Pki.MANUFACTURER, Pki.MASA_CA),
                acme.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA)), Pem.readCertificates(file));

        // another manufacturer's IDevID CA appended: the registrar does not start, and says which and why
        Pki globex = new Pki(tmp.newFolder("globex").toPath());
        globex.init("Globex", "https://127.0.0.1:1", "masa.globex.test:8444");
        Path mixed = tmp.getRoot().toPath().resolve("mixed.pem");
        Files.writeString(mixed, Files.readString(file) + Pem.encode(globex.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA)));
        Pki owner = new Pki(tmp.newFolder("owner").toPath());
        owner.init("Acme", "https://127.0.0.1:" + port, "masa.acme.test:8444", "Example Owner", "https://127.0.0.1:" + Cli.freePort());
        Cli.Run refused = Cli.run("registrar", "serve", "--pki", owner.folder().toString(), "--manufacturer", mixed.toString(),
                "--no-dns-sd");
        assertEquals(refused.output(), 1, refused.code());
        assertTrue(refused.output(), refused.output().contains("--manufacturer " + mixed + ": the intermediate certificate "
                + "'CN=Globex IDevID CA,O=Globex' is not under the manufacturer root"));
    }
}
