package dev.avocado.tpm.tss;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.Arrays;

/**
 * libtss2-mu: converts between TPM wire format (what Java builds and parses, TPM 2.0 part 2, big
 * endian) and the C structures ESYS takes and returns. One generic pair of calls serves every type:
 * {@code Tss2_MU_<TYPE>_Unmarshal} and {@code Tss2_MU_<TYPE>_Marshal}.
 */
public final class Mu {

    /**
     * Room for any C structure this project passes: the largest, TPMS_CAPABILITY_DATA and TPM2B_PUBLIC,
     * are under 2 KiB on 32 and 64 bit.
     */
    private static final int STRUCT_ROOM = 8192;
    private static final int WIRE_ROOM = 8192;

    private final NativeLibrary library;

    public Mu(NativeLibrary library) {
        this.library = library;
    }

    /** The C structure of {@code type} for the wire bytes; freed with the returned Memory. */
    public Memory unmarshal(String type, byte[] wire) {
        Memory dest = new Memory(STRUCT_ROOM);
        dest.clear();
        Memory offset = sizeT(0);
        Function f = library.getFunction("Tss2_MU_" + type + "_Unmarshal");
        int rc = f.invokeInt(new Object[] {wire, sizeTValue(wire.length), offset, dest});
        if (rc != 0) {
            throw new IllegalArgumentException("Tss2_MU_" + type + "_Unmarshal failed: 0x" + Integer.toHexString(rc)
                    + " for " + wire.length + " bytes");
        }
        return dest;
    }

    /** The wire bytes of the C structure of {@code type} at {@code src}. */
    public byte[] marshal(String type, Pointer src) {
        byte[] buffer = new byte[WIRE_ROOM];
        Memory offset = sizeT(0);
        Function f = library.getFunction("Tss2_MU_" + type + "_Marshal");
        int rc = f.invokeInt(new Object[] {src, buffer, sizeTValue(buffer.length), offset});
        if (rc != 0) {
            throw new IllegalArgumentException("Tss2_MU_" + type + "_Marshal failed: 0x" + Integer.toHexString(rc));
        }
        long used = Native.SIZE_T_SIZE == 8 ? offset.getLong(0) : offset.getInt(0) & 0xffffffffL;
        return Arrays.copyOf(buffer, (int) used);
    }

    /** size_t is 4 bytes on 32-bit ARM and 8 on 64-bit: never a Java long or int by itself. */
    private static Object sizeTValue(long value) {
        return Native.SIZE_T_SIZE == 8 ? (Object) value : (Object) (int) value;
    }

    private static Memory sizeT(long value) {
        Memory m = new Memory(Native.SIZE_T_SIZE);
        if (Native.SIZE_T_SIZE == 8) {
            m.setLong(0, value);
        } else {
            m.setInt(0, (int) value);
        }
        return m;
    }
}
