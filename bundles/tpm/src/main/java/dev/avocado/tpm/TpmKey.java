package dev.avocado.tpm;

import dev.avocado.api.keys.KeyAlgorithm;
import java.security.PublicKey;

/** A persistent TPM key: its handle, what it is, and its public key. */
public record TpmKey(int handle, KeyAlgorithm algorithm, int attributes, PublicKey publicKey) {

    public String location() {
        return String.format("tpm:0x%08x", handle);
    }
}
