package dev.avocado.tpm;

import java.io.ByteArrayOutputStream;

/** Builds TPM wire format: big-endian integers and TPM2B (size-prefixed) buffers. */
final class TpmWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    TpmWriter u32(int v) {
        u16(v >>> 16);
        return u16(v);
    }

    TpmWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A TPM2B: UINT16 size, then the bytes. */
    TpmWriter tpm2b(byte[] b) {
        return u16(b.length).bytes(b);
    }

    /** This writer's bytes as the body of a TPM2B (the sized structures: TPM2B_PUBLIC, ...). */
    byte[] sized() {
        return new TpmWriter().tpm2b(toBytes()).toBytes();
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
