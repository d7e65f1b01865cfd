package dev.avocado.tpm;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.avocado.tpm.tss.Esys;
import java.io.ByteArrayOutputStream;

/**
 * The NV indexes of one TPM connection ({@link Tpm#nv()}): what the MPR anchored in the TPM needs.
 * Every call is serialized on the connection, as the connection's own are.
 */
public final class TpmNv {

    private static final int RC_NV_DEFINED = 0x14C;
    private static final int NV_CHUNK = 512;

    private final Tpm tpm;

    TpmNv(Tpm tpm) {
        this.tpm = tpm;
    }

    /**
     * Defines an NV index of {@code size} bytes under the platform hierarchy, as a factory station does
     * before the device's firmware disables that hierarchy: the platform writes it, anyone reads it,
     * NV_WriteLock locks it for good (TPMA_NV_WRITEDEFINE), and it can be undefined only with platform
     * authorization and the policy PolicyCommandCode(NV_UndefineSpaceSpecial) (TPMA_NV_POLICY_DELETE,
     * PLATFORMCREATE): no process holding the owner hierarchy can undefine it and make it again.
     *
     * @throws TpmException if the index exists, or the platform hierarchy is not available
     */
    public void define(int index, int size) throws TpmException {
        synchronized (tpm) {
            int attributes = Tpm2.NV_PPWRITE | Tpm2.NV_OWNERREAD | Tpm2.NV_AUTHREAD | Tpm2.NV_WRITEDEFINE | Tpm2.NV_NO_DA
                    | Tpm2.NV_POLICY_DELETE | Tpm2.NV_PLATFORMCREATE;
            byte[] pub = new TpmWriter().u32(index).u16(Tpm2.ALG_SHA256).u32(attributes).tpm2b(undefineSpecialPolicy())
                    .u16(size).sized();
            IntByReference nv = new IntByReference();
            try (Memory auth = tpm.mu("TPM2B_AUTH", new TpmWriter().u16(0).toBytes()); Memory info = tpm.mu("TPM2B_NV_PUBLIC", pub)) {
                tpm.call("TPM2_NV_DefineSpace", () -> tpm.esys.Esys_NV_DefineSpace(tpm.ctx(), Esys.TR_RH_PLATFORM, Esys.TR_PASSWORD,
                        Esys.TR_NONE, Esys.TR_NONE, auth, info, nv));
            } catch (TpmException e) {
                if (e.isTpm(RC_NV_DEFINED)) {
                    throw new TpmException(String.format("NV index 0x%08x is defined already", index), e);
                }
                throw e;
            }
            tpm.objects.put(index, nv.getValue());
        }
    }

    /** The policy digest of TPM2_PolicyCommandCode(TPM2_NV_UndefineSpaceSpecial), SHA-256 from a zero digest. */
    static byte[] undefineSpecialPolicy() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(new byte[32]);
            md.update(new TpmWriter().u32(Tpm2.CC_POLICY_COMMAND_CODE).u32(Tpm2.CC_NV_UNDEFINE_SPACE_SPECIAL).toBytes());
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public area of an NV index, or null when it is not defined. */
    public NvPublic readPublic(int index) throws TpmException {
        synchronized (tpm) {
            Integer tr = tpm.object(index);
            if (tr == null) {
                return null;
            }
            PointerByReference pub = new PointerByReference();
            tpm.call("TPM2_NV_ReadPublic", () -> tpm.esys.Esys_NV_ReadPublic(tpm.ctx(), tr, Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE,
                    pub, null));
            TpmReader r = new TpmReader(tpm.take("TPM2B_NV_PUBLIC", pub), "TPM2B_NV_PUBLIC");
            r.u16();
            int idx = r.u32();
            r.u16();
            int attributes = r.u32();
            r.tpm2b();
            return new NvPublic(idx, attributes, r.u16());
        }
    }

    /** Writes the whole index, in chunks the TPM accepts, with platform authorization (TPMA_NV_PPWRITE). */
    public void write(int index, byte[] data) throws TpmException {
        synchronized (tpm) {
            Integer tr = tpm.object(index);
            if (tr == null) {
                throw new TpmException(String.format("NV index 0x%08x is not defined", index));
            }
            for (int off = 0; off < data.length; off += NV_CHUNK) {
                byte[] chunk = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + NV_CHUNK));
                short offset = (short) off;
                try (Memory buf = tpm.mu("TPM2B_MAX_NV_BUFFER", new TpmWriter().tpm2b(chunk).toBytes())) {
                    tpm.call("TPM2_NV_Write", () -> tpm.esys.Esys_NV_Write(tpm.ctx(), Esys.TR_RH_PLATFORM, tr, Esys.TR_PASSWORD,
                            Esys.TR_NONE, Esys.TR_NONE, buf, offset));
                }
            }
        }
    }

    /** Reads the whole index with its own (empty) authorization. */
    public byte[] read(int index) throws TpmException {
        synchronized (tpm) {
            NvPublic pub = readPublic(index);
            if (pub == null) {
                throw new TpmException(String.format("NV index 0x%08x is not defined", index));
            }
            return read(pub);
        }
    }

    /**
     * Reads the whole index whose public area the caller has just read ({@link #readPublic}), without
     * asking the TPM for it again.
     */
    public byte[] read(NvPublic pub) throws TpmException {
        synchronized (tpm) {
            int index = pub.index();
            int tr = tpm.object(index);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int off = 0; off < pub.size(); off += NV_CHUNK) {
                short size = (short) Math.min(NV_CHUNK, pub.size() - off);
                short offset = (short) off;
                PointerByReference data = new PointerByReference();
                tpm.call("TPM2_NV_Read", () -> tpm.esys.Esys_NV_Read(tpm.ctx(), tr, tr, Esys.TR_PASSWORD, Esys.TR_NONE, Esys.TR_NONE,
                        size, offset, data));
                out.writeBytes(new TpmReader(tpm.take("TPM2B_MAX_NV_BUFFER", data), "TPM2B_MAX_NV_BUFFER").tpm2b());
            }
            return out.toByteArray();
        }
    }

    /** Locks the index against writes until it is undefined (TPMA_NV_WRITEDEFINE: for good). */
    public void writeLock(int index) throws TpmException {
        synchronized (tpm) {
            int tr = tpm.object(index);
            tpm.call("TPM2_NV_WriteLock", () -> tpm.esys.Esys_NV_WriteLock(tpm.ctx(), Esys.TR_RH_PLATFORM, tr, Esys.TR_PASSWORD,
                    Esys.TR_NONE, Esys.TR_NONE));
        }
    }

    /** Removes an NV index (owner authorization). */
    public void undefine(int index) throws TpmException {
        synchronized (tpm) {
            Integer tr = tpm.object(index);
            if (tr == null) {
                return;
            }
            tpm.call("TPM2_NV_UndefineSpace", () -> tpm.esys.Esys_NV_UndefineSpace(tpm.ctx(), Esys.TR_RH_OWNER, tr, Esys.TR_PASSWORD,
                    Esys.TR_NONE, Esys.TR_NONE));
            tpm.objects.remove(index);
        }
    }
}
