package dev.avocado.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class PasswordHashTest {

    @Test
    public void theRightPasswordVerifiesAndAnyOtherDoesNot() {
        String h = PasswordHash.hash("correct horse battery".toCharArray());
        assertTrue(h, h.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"));
        assertTrue(PasswordHash.verify("correct horse battery".toCharArray(), h));
        assertFalse(PasswordHash.verify("correct horse batterz".toCharArray(), h));
        assertFalse(PasswordHash.verify("".toCharArray(), h));
        // a new salt each time
        assertNotEquals(h, PasswordHash.hash("correct horse battery".toCharArray()));
    }

    /** The reference implementation of Argon2 (Debian's argon2 command) hashes; ours verifies what it made. */
    @Test
    public void aHashMadeByTheReferenceArgon2CommandVerifies() throws Exception {
        Process p = new ProcessBuilder("argon2", "somesaltsomesalt", "-id", "-t", "2", "-k", "19456", "-p", "1", "-l", "32", "-e")
                .redirectErrorStream(true).start();
        try (java.io.OutputStream in = p.getOutputStream()) {
            in.write("pässwörd-1234".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String phc = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        assertEquals(phc, 0, p.waitFor());
        assertTrue(phc, phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"));
        assertTrue(PasswordHash.verify("pässwörd-1234".toCharArray(), phc));
        assertFalse(PasswordHash.verify("passwörd-1234".toCharArray(), phc));
    }

    @Test
    public void aShortPasswordIsRefusedWithItsLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.hash("short".toCharArray()));
        assertEquals("the console password has 5 characters; it needs at least 12", e.getMessage());
    }

    @Test
    public void aStoredValueThatIsNotOurHashIsAnErrorNotAMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.verify("whatever-password".toCharArray(), "plain-text-password"));
        assertTrue(e.getMessage(), e.getMessage().contains("not an Argon2id hash"));
        e = assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.verify("whatever-password".toCharArray(), "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA"));
        assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
    }
}
