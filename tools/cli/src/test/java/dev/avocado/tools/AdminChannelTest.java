package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Attack 6: a local user on the server host goes for the registrar's embedded database while the
 * registrar runs. No database port is open (the old AUTO_SERVER one took anyone who read the lock
 * file), the folder is owner-only, and a second opener is refused by the file lock; the owner's admin
 * commands go through the service's owner-only socket instead.
 */
public class AdminChannelTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theEmbeddedDatabaseTakesNoConnectionFromOutsideTheService() throws Exception {
        Pki pki = new Pki(tmp.newFolder("pki").toPath());
        int port = Cli.freePort();
        pki.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:8444", "Example Owner", "https://127.0.0.1:" + port);
        Path folder = pki.folder().resolve("registrar-db");
        try (Cli.Background registrar = Cli.start("registrar", "serve", "--pki", pki.folder().toString(), "--no-dns-sd",
                "--port", String.valueOf(port))) {
            String started = registrar.awaitLine(l -> l.startsWith("registrar: https://"), 60_000);
            assertTrue("the secure default: manual approval: " + started, started.contains("(approval manual"));
            // and the factory issues to no one without a station CA or a plan (--open says what it turns off)
            Cli.Run factory = Cli.run("factory", "serve", "--pki", pki.folder().toString(), "--port", "0");
            assertEquals(factory.output(), 1, factory.code());
            assertTrue(factory.output(), factory.output().contains("issues IDevIDs only to factory stations (--station-ca FILE) "
                    + "or for planned serials (--allowlist)"));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
            Path socket = folder.resolve("admin.sock");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (var files = Files.list(folder)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".lock.db")).toList()) {
                    assertFalse("no database server named in the lock file: " + Files.readString(f),
                            Files.readString(f).contains("server="));
                }
            }
            // what the old AUTO_SERVER let any local user do: connect to the running service's database
            SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:h2:file:"
                    + folder.resolve("pledges") + ";AUTO_SERVER=TRUE").close());
            assertTrue(refused.getMessage(), refused.getMessage().contains("already in use"));

            // the owner's admin commands reach the running registrar through its socket
            Cli.Run approve = Cli.run("registrar", "approve", "--pki", pki.folder().toString(), "SN-ADMIN-1");
            assertEquals(approve.output(), 0, approve.code());
            assertTrue(approve.output(), approve.output().contains("1 approved"));
            Cli.Run bad = Cli.run("registrar", "approve", "--pki", pki.folder().toString(), "bad serial");
            assertEquals(bad.output(), 1, bad.code());
            assertTrue(bad.output(), bad.output().contains("'bad serial' is not"));
            registrar.kill();
        }
        // the service gone (killed: its socket left behind), the commands open the database themselves
        Cli.Run pledges = Cli.run("registrar", "allow", "--pki", pki.folder().toString(), "SN-ADMIN-2");
        assertEquals(pledges.output(), 0, pledges.code());
        assertTrue(pledges.output(), pledges.output().contains("1 serials added"));
    }
}
