package dev.avocado.tpm;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.tpm.tss.Esys;

/**
 * The objects one connection makes and removes: the storage root key, signing keys (persistent or
 * wrapped), their loading and eviction. Called under the connection's lock.
 */
final class TpmObjects {

    private final Tpm tpm;

    TpmObjects(Tpm tpm) {
        this.tpm = tpm;
    }

    /**
     * The storage root key at {@code srkHandle}, created from the standard template and made persistent
     * if the handle is empty.
     */
    void ensureStorageRoot(int srkHandle) throws TpmException {
        Integer existing = tpm.object(srkHandle);
        if (existing != null) {
            return;
        }
        IntByReference primary = new IntByReference();
        try (Memory sensitive = emptySensitive(); Memory template = tpm.mu("TPM2B_PUBLIC", TpmPublic.storageRootTemplate());
                Memory outside = tpm.mu("TPM2B_DATA", new TpmWriter().u16(0).toBytes());
                Memory pcrs = tpm.mu("TPML_PCR_SELECTION", new TpmWriter().u32(0).toBytes())) {
            tpm.call("TPM2_CreatePrimary", () -> tpm.esys.Esys_CreatePrimary(tpm.ctx(), Esys.TR_RH_OWNER, Esys.TR_PASSWORD,
                    Esys.TR_NONE, Esys.TR_NONE, sensitive, template, outside, pcrs, primary, null, null, null, null));
            try {
                persist(primary.getValue(), srkHandle);
            } finally {
                tpm.flush(primary.getValue());
            }
        }
    }
    /**
     * Creates a signing key under the storage root key and makes it persistent at {@code handle}
     * (TPM2_Create, TPM2_Load, TPM2_EvictControl; the loaded copy is flushed).
     *
     * @throws TpmException if the handle is occupied, or a command fails
     */
    TpmKey createSigningKey(int srkHandle, int handle, KeyAlgorithm algorithm) throws TpmException {
        if (tpm.object(handle) != null) {
            throw new TpmException(String.format("persistent handle 0x%08x is occupied", handle));
        }
        Tpm.WrappedKey wrapped = createWrapped(srkHandle, algorithm);
        int loaded = load(srkHandle, wrapped);
        try {
            persist(loaded, handle);
        } finally {
            tpm.flush(loaded);
        }
        TpmPublic pub = TpmPublic.parse(wrapped.publicArea());
        return new TpmKey(handle, pub.algorithm(), pub.attributes(), pub.publicKey());
    }
    /** Creates a wrapped signing key under the storage root key (one TPM2_Create). */
    Tpm.WrappedKey createWrapped(int srkHandle, KeyAlgorithm algorithm) throws TpmException {
        ensureStorageRoot(srkHandle);
        int parent = tpm.object(srkHandle);
        PointerByReference outPrivate = new PointerByReference();
        PointerByReference outPublic = new PointerByReference();
        try (Memory sensitive = emptySensitive(); Memory template = tpm.mu("TPM2B_PUBLIC", TpmPublic.signingTemplate(algorithm));
                Memory outside = tpm.mu("TPM2B_DATA", new TpmWriter().u16(0).toBytes());
                Memory pcrs = tpm.mu("TPML_PCR_SELECTION", new TpmWriter().u32(0).toBytes())) {
            tpm.call("TPM2_Create", () -> tpm.esys.Esys_Create(tpm.ctx(), parent, Esys.TR_PASSWORD, Esys.TR_NONE, Esys.TR_NONE,
                    sensitive, template, outside, pcrs, outPrivate, outPublic, null, null, null));
        }
        return new Tpm.WrappedKey(tpm.take("TPM2B_PUBLIC", outPublic), tpm.take("TPM2B_PRIVATE", outPrivate));
    }
    /**
     * Loads a wrapped key (one TPM2_Load). The caller must {@link #flushTransient} the returned object:
     * without a resource manager it outlives the connection.
     *
     * @return the ESYS_TR of the transient object
     */
    int load(int srkHandle, Tpm.WrappedKey key) throws TpmException {
        Integer parent = tpm.object(srkHandle);
        if (parent == null) {
            throw new TpmException(String.format("no storage root key at 0x%08x", srkHandle));
        }
        IntByReference loaded = new IntByReference();
        try (Memory priv = tpm.mu("TPM2B_PRIVATE", key.privateArea()); Memory pub = tpm.mu("TPM2B_PUBLIC", key.publicArea())) {
            tpm.call("TPM2_Load", () -> tpm.esys.Esys_Load(tpm.ctx(), parent, Esys.TR_PASSWORD, Esys.TR_NONE, Esys.TR_NONE, priv, pub,
                    loaded));
        }
        return loaded.getValue();
    }
    /** Removes the persistent object at {@code handle}; does nothing when there is none. */
    void evict(int handle) throws TpmException {
        Integer tr = tpm.object(handle);
        if (tr == null) {
            return;
        }
        IntByReference none = new IntByReference();
        tpm.call("TPM2_EvictControl", () -> tpm.esys.Esys_EvictControl(tpm.ctx(), Esys.TR_RH_OWNER, tr, Esys.TR_PASSWORD,
                Esys.TR_NONE, Esys.TR_NONE, handle, none));
        tpm.objects.remove(handle);
    }
    void persist(int transientTr, int handle) throws TpmException {
        IntByReference persistent = new IntByReference();
        tpm.call("TPM2_EvictControl", () -> tpm.esys.Esys_EvictControl(tpm.ctx(), Esys.TR_RH_OWNER, transientTr, Esys.TR_PASSWORD,
                Esys.TR_NONE, Esys.TR_NONE, handle, persistent));
        tpm.objects.put(handle, persistent.getValue());
    }
    Memory emptySensitive() {
        return tpm.mu("TPM2B_SENSITIVE_CREATE", new TpmWriter().u16(0).u16(0).sized());
    }

    /**
     * Transient objects left by a process that died between TPM2_Load and TPM2_FlushContext. Without a
     * resource manager (swtpm, a bare /dev/tpm0) they stay and fill the TPM's few object slots; behind
     * one (/dev/tpmrm0) this connection sees none but its own.
     */
    void flushLeftovers() throws TpmException {
        for (int handle : tpm.capabilities().handles(Tpm2.HT_TRANSIENT)) {
            IntByReference tr = new IntByReference();
            tpm.call("Esys_TR_FromTPMPublic(" + String.format("0x%08x", handle) + ")", () -> tpm.esys.Esys_TR_FromTPMPublic(tpm.ctx(),
                    handle, Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE, tr));
            tpm.flush(tr.getValue());
            System.getLogger(Tpm.class.getName()).log(System.Logger.Level.WARNING,
                    String.format("flushed transient object 0x%08x left in the TPM by an earlier connection", handle));
        }
    }
}
