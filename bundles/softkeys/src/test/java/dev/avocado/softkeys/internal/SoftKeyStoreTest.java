package dev.avocado.softkeys.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.Signature;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SoftKeyStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void createdKeySignsDigestsThatPlainJcaVerifies() throws Exception {
        Path folder = tmp.getRoot().toPath().resolve("keys");
        SoftKeyStore store = new SoftKeyStore(folder);
        DeviceKey key = store.create("idevid", KeyAlgorithm.EC_P256);

        byte[] message = "voucher request".getBytes();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
        byte[] sig = store.sign("idevid", SignatureScheme.ECDSA_SHA256, digest);

        Signature verify = Signature.getInstance("SHA256withECDSA"); // the JDK's own, not BouncyCastle
        verify.initVerify(key.publicKey());
        verify.update(message);
        assertTrue(verify.verify(sig));

        // read back from the file: same public key
        DeviceKey again = new SoftKeyStore(folder).find("idevid").orElseThrow();
        assertArrayEquals(key.publicKey().getEncoded(), again.publicKey().getEncoded());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("idevid.p8"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
    }

    @Test
    public void aliasIsCreatedOnceAndDestroyedForGood() throws Exception {
        SoftKeyStore store = new SoftKeyStore(tmp.getRoot().toPath());
        store.create("ldevid", KeyAlgorithm.EC_P256);
        KeyServiceException e = assertThrows(KeyServiceException.class, () -> store.create("ldevid", KeyAlgorithm.EC_P256));
        assertTrue(e.getMessage(), e.getMessage().contains("exists already"));
        assertEquals(1, store.list().size());
        store.destroy("ldevid");
        assertFalse(store.find("ldevid").isPresent());
        store.destroy("ldevid"); // nothing to do, no error
    }

    @Test
    public void badRequestsAreClearErrors() throws Exception {
        SoftKeyStore store = new SoftKeyStore(tmp.getRoot().toPath());
        assertThrows(KeyServiceException.class, () -> store.create("../escape", KeyAlgorithm.EC_P256));
        KeyServiceException rsa = assertThrows(KeyServiceException.class, () -> store.create("k", KeyAlgorithm.RSA_2048));
        assertTrue(rsa.getMessage(), rsa.getMessage().contains("EC_P256 only"));
        store.create("k", KeyAlgorithm.EC_P256);
        KeyServiceException len = assertThrows(KeyServiceException.class,
                () -> store.sign("k", SignatureScheme.ECDSA_SHA256, new byte[20]));
        assertTrue(len.getMessage(), len.getMessage().contains("32 bytes"));
        KeyServiceException none = assertThrows(KeyServiceException.class,
                () -> store.sign("nokey", SignatureScheme.ECDSA_SHA256, new byte[32]));
        assertTrue(none.getMessage(), none.getMessage().contains("no key nokey"));
    }
}
