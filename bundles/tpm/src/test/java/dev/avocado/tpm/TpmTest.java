package dev.avocado.tpm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.tpm.testing.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The TPM layer against a real software TPM, checked with plain JCA and tpm2-tools. */
public class TpmTest {

    private static final int SRK = 0x81000001;
    private static final int KEY = 0x81020000;

    private Swtpm swtpm;
    private Tpm tpm;

    @Before
    public void start() throws Exception {
        swtpm = Swtpm.start();
        tpm = Tpm.open(swtpm.tcti());
    }

    @After
    public void stop() throws Exception {
        if (tpm != null) {
            tpm.close();
        }
        swtpm.close();
    }

    @Test
    public void infoNamesTheTpm() throws Exception {
        TpmInfo info = tpm.info();
        assertEquals("IBM", info.manufacturer());
        assertTrue(info.toString(), info.vendor().startsWith("SW"));
    }

    @Test
    public void ecKeyIsCreatedPersistedUsedAndEvicted() throws Exception {
        TpmKey key = tpm.createSigningKey(SRK, KEY, KeyAlgorithm.EC_P256);
        assertEquals(KeyAlgorithm.EC_P256, key.algorithm());
        assertTrue(tpm.persistentHandles().containsAll(List.of(SRK, KEY)));
        assertEquals(List.of(), tpm.transientHandles());

        byte[] message = "CSR to be signed".getBytes();
        byte[] sig = tpm.sign(KEY, SignatureScheme.ECDSA_SHA256, MessageDigest.getInstance("SHA-256").digest(message));
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(key.publicKey());
        v.update(message);
        assertTrue("JCA verifies the TPM's ECDSA signature", v.verify(sig));

        // a new connection finds the same key (it is persistent)
        tpm.close();
        tpm = Tpm.open(swtpm.tcti());
        TpmKey again = tpm.readKey(KEY);
        assertArrayEquals(key.publicKey().getEncoded(), again.publicKey().getEncoded());

        TpmException occupied = assertThrows(TpmException.class, () -> tpm.createSigningKey(SRK, KEY, KeyAlgorithm.EC_P256));
        assertTrue(occupied.getMessage(), occupied.getMessage().contains("0x81020000 is occupied"));

        // tpm2-tools, on the same TPM, reads the same public key
        tpm.close();
        tpm = null;
        Path der = Files.createTempFile("readpublic", ".der");
        swtpm.tools("tpm2_readpublic", "-c", "0x81020000", "-f", "der", "-o", der.toString());
        assertArrayEquals(key.publicKey().getEncoded(), Files.readAllBytes(der));
        Files.delete(der);

        tpm = Tpm.open(swtpm.tcti());
        tpm.evict(KEY);
        assertNull(tpm.readKey(KEY));
        assertFalse(tpm.persistentHandles().contains(KEY));
        assertEquals(List.of(), tpm.transientHandles());
    }

    @Test
    public void rsaKeySignsPkcs1AndPssWithSaltOfTheHashLength() throws Exception {
        TpmKey key = tpm.createSigningKey(SRK, KEY, KeyAlgorithm.RSA_2048);
        byte[] message = "TLS 1.3 CertificateVerify".getBytes();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);

        Signature pkcs1 = Signature.getInstance("SHA256withRSA");
        pkcs1.initVerify(key.publicKey());
        pkcs1.update(message);
        assertTrue(pkcs1.verify(tpm.sign(KEY, SignatureScheme.RSA_PKCS1_SHA256, digest)));

        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        pss.initVerify(key.publicKey());
        pss.update(message);
        assertTrue("PSS with a 32-byte salt, as TLS 1.3 wants", pss.verify(tpm.sign(KEY, SignatureScheme.RSA_PSS_SHA256, digest)));
    }

    @Test
    public void randomBytesComeFromTheTpm() throws Exception {
        byte[] a = tpm.random(64);
        byte[] b = tpm.random(64);
        assertEquals(64, a.length);
        assertFalse(java.util.Arrays.equals(a, b));
    }

    @Test
    public void nvIndexIsWrittenReadAndLockedForGood() throws Exception {
        int index = 0x01800100;
        byte[] data = new byte[700];
        new java.util.Random(1).nextBytes(data);
        tpm.nv().define(index, data.length);
        tpm.nv().write(index, data);
        assertArrayEquals(data, tpm.nv().read(index));
        tpm.nv().writeLock(index);
        assertTrue(tpm.nv().readPublic(index).writeLocked());
        TpmException locked = assertThrows(TpmException.class, () -> tpm.nv().write(index, data));
        assertTrue(locked.getMessage(), locked.getMessage().startsWith("TPM2_NV_Write failed: "));
        assertTrue(locked.getMessage(), locked.getMessage().contains("(0x148)"));
        TpmException defined = assertThrows(TpmException.class, () -> tpm.nv().define(index, 4));
        assertTrue(defined.getMessage(), defined.getMessage().contains("0x01800100 is defined already"));
        // made by the platform, deleted only by it with a policy: the owner (empty password) cannot undefine it
        assertTrue(Integer.toHexString(tpm.nv().readPublic(index).attributes()), tpm.nv().readPublic(index).lockedForGood());
        TpmException owner = assertThrows(TpmException.class, () -> tpm.nv().undefine(index));
        assertTrue(owner.getMessage(), owner.getMessage().startsWith("TPM2_NV_UndefineSpace failed: "));
        assertArrayEquals(data, tpm.nv().read(index));
        assertNull(tpm.nv().readPublic(0x01800999));
    }

    @Test
    public void handleHoldingAnotherKindOfObjectIsNamed() throws Exception {
        tpm.createSigningKey(SRK, KEY, KeyAlgorithm.RSA_2048);
        assertEquals("it is a RSA_2048 key, not EC_P256", tpm.unfitAsSigningKey(KEY, KeyAlgorithm.EC_P256));
        tpm.ensureStorageRoot(0x81020005);
        String why = tpm.unfitAsSigningKey(0x81020005, KeyAlgorithm.EC_P256);
        assertTrue(why, why.startsWith("its attributes are 0x30472"));
        assertNull(tpm.unfitAsSigningKey(0x81020006, KeyAlgorithm.EC_P256));
    }

    @Test
    public void badTctiAndAbsentTpmAreClearErrors() throws Exception {
        TpmException parse = assertThrows(TpmException.class, () -> Tpm.open("not a tcti"));
        assertTrue(parse.getMessage(), parse.getMessage().startsWith("TCTI 'not a tcti' does not parse"));
        TpmException absent = assertThrows(TpmException.class, () -> Tpm.open("swtpm:host=127.0.0.1,port=9"));
        assertTrue(absent.getMessage(), absent.getMessage().startsWith("Tss2_TctiLdr_Initialize(\"swtpm:host=127.0.0.1,port=9\") failed"));
        TpmException unknown = assertThrows(TpmException.class, () -> Tpm.open("nosuchtcti:x"));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("Tss2_TctiLdr_Initialize"));
    }

    @Test
    public void lockedOutTpmIsNamedInTheError() throws Exception {
        tpm.createSigningKey(SRK, KEY, KeyAlgorithm.EC_P256);
        tpm.close();
        tpm = null;
        // tpm2-tools: one failed authorization locks the TPM out
        swtpm.tools("tpm2_dictionarylockout", "--setup-parameters", "--max-tries=1", "--recovery-time=600",
                "--lockout-recovery-time=600");
        Path message = Files.createTempFile("message", ".bin");
        Files.write(message, new byte[] {1, 2, 3});
        Swtpm.Result wrong = swtpm.toolsResult("tpm2_sign", "-c", "0x81020000", "-p", "wrong", "-g", "sha256", "-o",
                "/dev/null", message.toString());
        Files.delete(message);
        assertTrue("the wrong password is refused: " + wrong.output(), wrong.code() != 0);

        tpm = Tpm.open(swtpm.tcti());
        assertEquals(1, tpm.info().lockoutCounter());
        TpmException e = assertThrows(TpmException.class, () -> tpm.sign(KEY, SignatureScheme.ECDSA_SHA256, new byte[32]));
        assertTrue(e.getMessage(), e.getMessage().startsWith("TPM2_Sign failed: "));
        assertTrue(e.getMessage(), e.getMessage().contains("lockout") && e.getMessage().endsWith("(0x921)"));
        assertEquals(List.of(), tpm.transientHandles());
    }

    @Test
    public void transientLeftByADeadConnectionIsFlushedOnConnect() throws Exception {
        Tpm.WrappedKey wrapped = tpm.createWrapped(SRK, KeyAlgorithm.EC_P256);
        tpm.load(SRK, wrapped); // and the process dies before TPM2_FlushContext
        assertEquals(1, tpm.transientHandles().size());
        tpm.close();
        tpm = Tpm.open(swtpm.tcti());
        assertEquals(List.of(), tpm.transientHandles());
    }

    @Test
    public void killedTpmIsAConnectionErrorAndLeavesNothingHalfMade() throws Exception {
        tpm.createSigningKey(SRK, KEY, KeyAlgorithm.EC_P256);
        swtpm.kill();
        TpmException e = assertThrows(TpmException.class, () -> tpm.sign(KEY, SignatureScheme.ECDSA_SHA256, new byte[32]));
        assertTrue(e.getMessage(), e.isConnectionLost());
        tpm.close();
        swtpm.restart();
        tpm = Tpm.open(swtpm.tcti());
        assertNotNull("the persistent key survived", tpm.readKey(KEY));
        assertEquals(List.of(), tpm.transientHandles());
    }
}
