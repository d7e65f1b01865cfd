package dev.avocado.tpm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.tpm.tss.Esys;
import dev.avocado.tpm.tss.Tss;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * One connection to a TPM 2.0 through ESYS. Every call is serialized on this object (swtpm serves one
 * connection, and ESYS contexts are not thread-safe); transient objects are flushed before a method
 * returns, on success or failure, because without a resource manager they outlive the connection.
 * Authorization is the empty password throughout (owner hierarchy and keys).
 */
public final class Tpm implements AutoCloseable {

    /** TCTI string: a name and an optional configuration, for example device:/dev/tpmrm0 or swtpm:port=2321. */
    private static final Pattern TCTI = Pattern.compile("[a-z][a-z0-9_-]*(:.*)?");
    private static final int RC_RETRY = 0x922;
    private static final int RC_YIELDED = 0x908;
    private static final int RC_TESTING = 0x90A;
    private static final int RC_HANDLE = 0x08B;

    private final Tss tss;
    final Esys esys;
    private final String tcti;
    private PointerByReference tctiContext;
    private PointerByReference context;
    /** ESYS_TR of persistent handles and NV indexes (guarded by this; TpmNv keeps it too). */
    final Map<Integer, Integer> objects = new HashMap<>();
    private long commands;
    private final TpmNv nv = new TpmNv(this);
    private final TpmCapabilities capabilities = new TpmCapabilities(this);
    private final TpmObjects objectsMade = new TpmObjects(this);

    private Tpm(Tss tss, String tcti) {
        this.tss = tss;
        this.esys = tss.esys;
        this.tcti = tcti;
    }

    /**
     * Connects to the TPM behind a TCTI and checks that it answers.
     *
     * @throws TpmException if the TCTI string does not parse, the software stack is missing, or no TPM answers
     */
    public static Tpm open(String tcti) throws TpmException {
        if (tcti == null || !TCTI.matcher(tcti).matches()) {
            throw new TpmException("TCTI '" + tcti + "' does not parse: expected name[:configuration], for example "
                    + "device:/dev/tpmrm0, swtpm:port=2321 or tabrmd:");
        }
        Tss tss;
        try {
            tss = Tss.get();
        } catch (UnsatisfiedLinkError e) {
            throw new TpmException(e.getMessage(), e);
        }
        Tpm tpm = new Tpm(tss, tcti);
        tpm.connect();
        return tpm;
    }

    private void connect() throws TpmException {
        PointerByReference t = new PointerByReference();
        int rc = tss.tctiLdr.Tss2_TctiLdr_Initialize(tcti, t);
        if (rc != 0) {
            throw error("Tss2_TctiLdr_Initialize(\"" + tcti + "\")", rc);
        }
        tctiContext = t;
        PointerByReference c = new PointerByReference();
        rc = esys.Esys_Initialize(c, t.getValue(), null);
        if (rc != 0) {
            tss.tctiLdr.Tss2_TctiLdr_Finalize(t);
            tctiContext = null;
            throw error("Esys_Initialize", rc);
        }
        context = c;
        try {
            capabilities.properties(Tpm2.PT_MANUFACTURER, 1); // does a TPM answer?
        } catch (TpmException e) {
            close();
            throw new TpmException("no TPM answers at " + tcti + ": " + e.getMessage(), e);
        }
        objectsMade.flushLeftovers();
    }


    public String tcti() {
        return tcti;
    }

    /**
     * Parses a handle as written in configuration ("0x81020000"; decimal works too).
     *
     * @throws IllegalArgumentException naming the text when it is no 32-bit handle
     */
    public static int handle(String text) {
        try {
            long v = Long.decode(text.trim());
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a TPM handle (for example 0x81020000)");
        }
    }

    /** TPM commands sent since this connection opened. */
    public synchronized long commandCount() {
        return commands;
    }

    @Override
    public synchronized void close() {
        for (int tr : objects.values()) {
            esys.Esys_TR_Close(context.getValue(), new IntByReference(tr));
        }
        objects.clear();
        if (context != null) {
            esys.Esys_Finalize(context);
            context = null;
        }
        if (tctiContext != null) {
            tss.tctiLdr.Tss2_TctiLdr_Finalize(tctiContext);
            tctiContext = null;
        }
    }

    // --- capabilities (TpmCapabilities reads them)

    public synchronized TpmInfo info() throws TpmException {
        return capabilities.info();
    }

    /** The persistent object handles (0x81......). */
    public synchronized List<Integer> persistentHandles() throws TpmException {
        return capabilities.handles(Tpm2.HT_PERSISTENT);
    }

    /** The transient object handles (0x80......): none, unless something leaked. */
    public synchronized List<Integer> transientHandles() throws TpmException {
        return capabilities.handles(Tpm2.HT_TRANSIENT);
    }

    /** The NV indexes (0x01......). */
    public synchronized List<Integer> nvIndexes() throws TpmException {
        return capabilities.handles(Tpm2.HT_NV_INDEX);
    }








    // --- keys

    /** What a persistent handle holds, from one TPM2_ReadPublic. */
    public record Occupant(TpmKey key, String unfit) {
    }

    /**
     * The object at a persistent handle and why it cannot serve as a signing key of {@code algorithm}
     * (null when it can; any algorithm when null), or null when the handle is empty.
     */
    public synchronized Occupant inspect(int handle, KeyAlgorithm algorithm) throws TpmException {
        TpmPublic p = capabilities.readPublic(handle);
        return p == null ? null : new Occupant(new TpmKey(handle, p.algorithm(), p.attributes(),
                p.algorithm() == null ? null : p.publicKey()), p.unfitAsSigningKey(algorithm));
    }

    /** The key at a persistent handle, or null when the handle is empty. */
    public synchronized TpmKey readKey(int handle) throws TpmException {
        Occupant o = inspect(handle, null);
        return o == null ? null : o.key();
    }

    /**
     * Why the object at a handle cannot serve as a signing key of {@code algorithm} (another type, other
     * attributes), or null when it can or the handle is empty.
     */
    public synchronized String unfitAsSigningKey(int handle, KeyAlgorithm algorithm) throws TpmException {
        Occupant o = inspect(handle, algorithm);
        return o == null ? null : o.unfit();
    }




    /**
     * The storage root key at {@code srkHandle}, created from the standard template and made persistent
     * if the handle is empty.
     */
    public synchronized void ensureStorageRoot(int srkHandle) throws TpmException {
        objectsMade.ensureStorageRoot(srkHandle);
    }

    /**
     * Creates a signing key under the storage root key and makes it persistent at {@code handle}
     * (TPM2_Create, TPM2_Load, TPM2_EvictControl; the loaded copy is flushed).
     *
     * @throws TpmException if the handle is occupied, or a command fails
     */
    public synchronized TpmKey createSigningKey(int srkHandle, int handle, KeyAlgorithm algorithm) throws TpmException {
        return objectsMade.createSigningKey(srkHandle, handle, algorithm);
    }

    /** Creates a wrapped signing key under the storage root key (one TPM2_Create). */
    public synchronized WrappedKey createWrapped(int srkHandle, KeyAlgorithm algorithm) throws TpmException {
        return objectsMade.createWrapped(srkHandle, algorithm);
    }

    /**
     * Loads a wrapped key (one TPM2_Load). The caller must {@link #flushTransient} the returned object:
     * without a resource manager it outlives the connection.
     *
     * @return the ESYS_TR of the transient object
     */
    public synchronized int load(int srkHandle, WrappedKey key) throws TpmException {
        return objectsMade.load(srkHandle, key);
    }

    /** Removes the persistent object at {@code handle}; does nothing when there is none. */
    public synchronized void evict(int handle) throws TpmException {
        objectsMade.evict(handle);
    }

    /**
     * A signing key made by the TPM under the storage root key and returned wrapped (TPM2_Create): the
     * private part is encrypted by the storage key and only this TPM can load it.
     *
     * @param publicArea TPM2B_PUBLIC, wire format
     * @param privateArea TPM2B_PRIVATE, wire format
     */
    public record WrappedKey(byte[] publicArea, byte[] privateArea) {

        public java.security.PublicKey publicKey() {
            return TpmPublic.parse(publicArea).publicKey();
        }
    }



    /** Flushes a transient object returned by {@link #load}. */
    public synchronized void flushTransient(int object) {
        flush(object);
    }



    void flush(int tr) {
        int rc = esys.Esys_FlushContext(ctx(), tr);
        commands++;
        if (rc != 0) {
            // the connection is gone: the TPM flushes transients itself when it restarts
            System.getLogger(Tpm.class.getName()).log(System.Logger.Level.WARNING,
                    "TPM2_FlushContext failed: " + decode(rc));
        }
    }

    /**
     * Signs a digest with the key at a persistent handle (one TPM command, TPM2_Sign).
     *
     * @return DER (SEQUENCE of r and s) for ECDSA, the signature octets for RSA
     */
    public synchronized byte[] sign(int handle, SignatureScheme scheme, byte[] digest) throws TpmException {
        Integer tr = object(handle);
        if (tr == null) {
            throw new TpmException(String.format("no key at persistent handle 0x%08x", handle));
        }
        int hash = scheme.digestAlgorithm().equals("SHA-384") ? Tpm2.ALG_SHA384 : Tpm2.ALG_SHA256;
        int alg = switch (scheme) {
            case ECDSA_SHA256, ECDSA_SHA384 -> Tpm2.ALG_ECDSA;
            case RSA_PKCS1_SHA256 -> Tpm2.ALG_RSASSA;
            case RSA_PSS_SHA256 -> Tpm2.ALG_RSAPSS;
        };
        PointerByReference signature = new PointerByReference();
        try (Memory d = mu("TPM2B_DIGEST", new TpmWriter().tpm2b(digest).toBytes());
                Memory s = mu("TPMT_SIG_SCHEME", new TpmWriter().u16(alg).u16(hash).toBytes());
                Memory ticket = mu("TPMT_TK_HASHCHECK",
                        new TpmWriter().u16(Tpm2.ST_HASHCHECK).u32(Tpm2.RH_NULL).u16(0).toBytes())) {
            call("TPM2_Sign", () -> esys.Esys_Sign(ctx(), tr, Esys.TR_PASSWORD, Esys.TR_NONE, Esys.TR_NONE, d, s, ticket,
                    signature));
        }
        TpmReader r = new TpmReader(take("TPMT_SIGNATURE", signature), "TPMT_SIGNATURE");
        int sigAlg = r.u16();
        r.u16(); // hash
        if (sigAlg == Tpm2.ALG_ECDSA) {
            ASN1EncodableVector rs = new ASN1EncodableVector();
            rs.add(new ASN1Integer(new BigInteger(1, r.tpm2b())));
            rs.add(new ASN1Integer(new BigInteger(1, r.tpm2b())));
            try {
                return new DERSequence(rs).getEncoded();
            } catch (java.io.IOException e) {
                throw new TpmException("cannot encode the ECDSA signature: " + e.getMessage(), e);
            }
        }
        return r.tpm2b();
    }

    /** Random bytes from the TPM's generator (TPM2_GetRandom, 32 bytes per command). */
    public synchronized byte[] random(int n) throws TpmException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            int want = Math.min(32, n - out.size());
            PointerByReference bytes = new PointerByReference();
            call("TPM2_GetRandom", () -> esys.Esys_GetRandom(ctx(), Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE,
                    (short) want, bytes));
            out.writeBytes(new TpmReader(take("TPM2B_DIGEST", bytes), "TPM2B_DIGEST").tpm2b());
        }
        return out.toByteArray();
    }

    /** The NV indexes of this TPM: define, read, write, lock, undefine (for the MPR anchored in NV). */
    public TpmNv nv() {
        return nv;
    }

    TpmCapabilities capabilities() {
        return capabilities;
    }

    // --- plumbing

    /** The ESYS_TR of a persistent handle or NV index, or null when nothing is there (one ReadPublic, then cached). */
    Integer object(int handle) throws TpmException {
        Integer cached = objects.get(handle);
        if (cached != null) {
            return cached;
        }
        IntByReference tr = new IntByReference();
        try {
            call("Esys_TR_FromTPMPublic(" + String.format("0x%08x", handle) + ")", () -> esys.Esys_TR_FromTPMPublic(ctx(),
                    handle, Esys.TR_NONE, Esys.TR_NONE, Esys.TR_NONE, tr));
        } catch (TpmException e) {
            if (e.isTpm(RC_HANDLE)) {
                return null;
            }
            throw e;
        }
        objects.put(handle, tr.getValue());
        return tr.getValue();
    }

    Pointer ctx() {
        if (context == null) {
            throw new IllegalStateException("the connection to the TPM at " + tcti + " is closed");
        }
        return context.getValue();
    }

    interface Command {
        int run();
    }

    /** Runs one TPM command; RETRY, YIELDED and TESTING are tried again, anything else is a TpmException. */
    void call(String name, Command command) throws TpmException {
        for (int attempt = 0;; attempt++) {
            int rc = command.run();
            commands++;
            if (rc == 0) {
                return;
            }
            boolean again = rc == RC_RETRY || rc == RC_YIELDED || rc == RC_TESTING;
            if (!again || attempt >= 20) {
                throw error(name, rc);
            }
            try {
                Thread.sleep(Math.min(1000, 10L << Math.min(attempt, 6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw error(name, rc);
            }
        }
    }

    private TpmException error(String name, int rc) {
        return new TpmException(name, rc, decode(rc));
    }

    private String decode(int rc) {
        String text = tss.rc.Tss2_RC_Decode(rc);
        return text == null ? "unknown error" : text;
    }

    /** Marshals an ESYS-allocated structure to wire format and frees it. */
    byte[] take(String type, PointerByReference ref) {
        Pointer p = ref.getValue();
        try {
            return tss.mu.marshal(type, p);
        } finally {
            esys.Esys_Free(p);
        }
    }

    Memory mu(String type, byte[] wire) {
        return tss.mu.unmarshal(type, wire);
    }


    static String ascii(int v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        return new String(b, StandardCharsets.US_ASCII).replace('\0', ' ');
    }
}
