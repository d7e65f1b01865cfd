package dev.avocado.identity.file;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.DeviceIdentity.Kind;
import dev.avocado.api.identity.IdentityException;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class IdentityFilesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair key = KeyPairs.ecP256();
    private final X509Certificate a = MprProfile.issue(key, "CN=a", "10.0.0.1", Instant.now(), Instant.now().plusSeconds(3600));
    private final X509Certificate b = MprProfile.issue(key, "CN=b", "10.0.0.1", Instant.now(), Instant.now().plusSeconds(3600));

    @Test
    public void idevidIsWriteOnceAndOnlyDeleteRemovesIt() throws Exception {
        Path folder = tmp.getRoot().toPath().resolve("identity");
        IdentityFiles files = new IdentityFiles(folder);
        assertFalse(files.read(Kind.IDEVID).isPresent());
        files.save(Kind.IDEVID, List.of(a), "idevid", true);
        files.saveAttribute(Kind.IDEVID, "dpp", "DPP:K:abc;;");

        IdentityException e = assertThrows(IdentityException.class, () -> files.save(Kind.IDEVID, List.of(b), "idevid", true));
        assertTrue(e.getMessage(), e.getMessage().contains("exists already"));
        DeviceIdentity read = new IdentityFiles(folder).read(Kind.IDEVID).orElseThrow();
        assertEquals(a, read.certificate());
        assertEquals("DPP:K:abc;;", files.attribute(Kind.IDEVID, "dpp").orElseThrow());

        // LDevID is replaced on re-enrollment
        files.save(Kind.LDEVID, List.of(a), "ldevid", false);
        files.save(Kind.LDEVID, List.of(b), "ldevid", false);
        assertEquals(b, files.read(Kind.LDEVID).orElseThrow().certificate());

        files.delete(Kind.LDEVID);
        files.delete(Kind.IDEVID);
        assertFalse(files.read(Kind.IDEVID).isPresent());
        assertFalse(files.attribute(Kind.IDEVID, "dpp").isPresent());
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals("no temporary or attribute files left", List.of(), left.toList());
        }
    }

    @Test
    public void corruptIdentityFileIsNamedInTheError() throws Exception {
        Path folder = tmp.getRoot().toPath();
        Files.writeString(folder.resolve("idevid.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        IdentityException e = assertThrows(IdentityException.class, () -> new IdentityFiles(folder).read(Kind.IDEVID));
        assertTrue(e.getMessage(), e.getMessage().contains("idevid.pem"));
    }
}
