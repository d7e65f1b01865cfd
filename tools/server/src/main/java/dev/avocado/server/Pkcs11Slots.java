package dev.avocado.server;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which slot of a PKCS#11 module holds the token with a label: the JDK's SunPKCS11 is configured by
 * slot, while operators (and SoftHSM2, which numbers its slots from the token's serial) know tokens by
 * label. Four Cryptoki calls through JNA (C_Initialize, C_GetSlotList, C_GetTokenInfo, C_Finalize);
 * everything else goes through SunPKCS11.
 */
final class Pkcs11Slots {

    private static final long CKR_OK = 0;
    private static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
    /** CK_TOKEN_INFO is 208 bytes on LP64 (label first, 32 blank-padded bytes); room to spare. */
    private static final int TOKEN_INFO = 512;

    /** The calls used, as every Cryptoki module exports them. */
    interface Cryptoki extends Library {
        NativeLong C_Initialize(Pointer args);

        NativeLong C_Finalize(Pointer reserved);

        NativeLong C_GetSlotList(byte tokenPresent, NativeLong[] slots, NativeLongByReference count);

        NativeLong C_GetTokenInfo(NativeLong slot, byte[] info);
    }

    private Pkcs11Slots() {
    }

    /** The slot whose token has this label; an error that names the labels there are otherwise. */
    static long find(Path module, String label) throws IOException {
        Cryptoki c;
        try {
            c = Native.load(module.toString(), Cryptoki.class);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("the PKCS#11 module " + module + " cannot be loaded: " + e.getMessage(), e);
        }
        long rv = c.C_Initialize(null).longValue();
        if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            throw new IOException("the PKCS#11 module " + module + " does not initialize: " + ckr(rv));
        }
        try {
            NativeLongByReference count = new NativeLongByReference();
            check(c.C_GetSlotList((byte) 1, null, count), module, "C_GetSlotList");
            NativeLong[] slots = new NativeLong[count.getValue().intValue()];
            check(c.C_GetSlotList((byte) 1, slots, count), module, "C_GetSlotList");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < count.getValue().intValue(); i++) {
                byte[] info = new byte[TOKEN_INFO];
                if (c.C_GetTokenInfo(slots[i], info).longValue() != CKR_OK) {
                    continue;
                }
                String l = new String(info, 0, 32, StandardCharsets.UTF_8).strip();
                if (l.equals(label)) {
                    return slots[i].longValue();
                }
                seen.add(l.isEmpty() ? "(uninitialized)" : l);
            }
            throw new IOException("no token labelled " + label + " in the PKCS#11 module " + module + " (tokens there: "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
        } finally {
            if (rv == CKR_OK) {
                c.C_Finalize(null); // SunPKCS11 initializes it again for itself
            }
        }
    }

    private static void check(NativeLong rv, Path module, String call) throws IOException {
        if (rv.longValue() != CKR_OK) {
            throw new IOException(call + " of the PKCS#11 module " + module + " failed: " + ckr(rv.longValue()));
        }
    }

    private static String ckr(long rv) {
        return "CKR 0x" + Long.toHexString(rv);
    }
}
