package dev.avocado.tpm.internal;

import dev.avocado.api.keys.KeyAlgorithm;
import java.security.PrivateKey;

/**
 * A JCA handle for a key that stays in the TPM: it names the key, it holds no key material, and
 * {@link #getEncoded()} is null. Only the TPM provider's Signatures accept it.
 */
final class TpmPrivateKey implements PrivateKey {
    private static final long serialVersionUID = 1L;

    private final transient TpmKeys service;
    private final String alias;
    private final KeyAlgorithm algorithm;

    TpmPrivateKey(TpmKeys service, String alias, KeyAlgorithm algorithm) {
        this.service = service;
        this.alias = alias;
        this.algorithm = algorithm;
    }

    TpmKeys service() {
        return service;
    }

    String alias() {
        return alias;
    }

    @Override
    public String getAlgorithm() {
        return algorithm == KeyAlgorithm.EC_P256 ? "EC" : "RSA";
    }

    @Override
    public String getFormat() {
        return null;
    }

    @Override
    public byte[] getEncoded() {
        return null;
    }

    @Override
    public String toString() {
        return "TPM key " + alias + " (" + algorithm + ")";
    }
}
