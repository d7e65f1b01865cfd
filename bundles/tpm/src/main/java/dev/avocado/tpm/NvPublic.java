package dev.avocado.tpm;

/** A TPMS_NV_PUBLIC: an NV index, its attributes and size. */
public record NvPublic(int index, int attributes, int size) {

    public boolean writeLocked() {
        return (attributes & Tpm2.NV_WRITELOCKED) != 0;
    }

    public boolean written() {
        return (attributes & Tpm2.NV_WRITTEN) != 0;
    }
}
