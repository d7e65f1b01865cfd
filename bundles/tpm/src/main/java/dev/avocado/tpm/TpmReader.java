package dev.avocado.tpm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/** Reads TPM wire format; a short buffer is an IllegalArgumentException naming what was read. */
final class TpmReader {

    private final ByteBuffer buf;
    private final String what;

    TpmReader(byte[] wire, String what) {
        this.buf = ByteBuffer.wrap(wire);
        this.what = what;
    }

    int u16() {
        return guard(() -> buf.getShort() & 0xffff);
    }

    int u32() {
        return guard(buf::getInt);
    }

    byte[] bytes(int n) {
        return guard(() -> {
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        });
    }

    byte[] tpm2b() {
        return bytes(u16());
    }

    private <T> T guard(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(what + " is shorter than its structure");
        }
    }
}
