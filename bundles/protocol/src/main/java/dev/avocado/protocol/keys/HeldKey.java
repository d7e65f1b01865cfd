package dev.avocado.protocol.keys;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import java.security.PrivateKey;

/**
 * A JCA handle for a key that stays in its store: it names the key, it holds no key material, and
 * {@link #getEncoded()} is null. Only the Signatures of a {@link HeldKeyProvider} accept it; they hash
 * the message and hand the digest to the store's {@link Signer}.
 */
public final class HeldKey implements PrivateKey {
    private static final long serialVersionUID = 1L;

    /** The store's signing operation: a digest in, the signature out (DER for ECDSA, raw octets for RSA). */
    @FunctionalInterface
    public interface Signer {
        byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException;
    }

    private final transient Signer signer;
    private final String store;
    private final String alias;
    private final KeyAlgorithm algorithm;

    /**
     * @param store what holds the key, for messages ("TPM", "PKCS#11 token avocado")
     */
    public HeldKey(Signer signer, String store, String alias, KeyAlgorithm algorithm) {
        this.signer = signer;
        this.store = store;
        this.alias = alias;
        this.algorithm = algorithm;
    }

    Signer signer() {
        return signer;
    }

    public String alias() {
        return alias;
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
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
        return store + " key " + alias + " (" + algorithm + ")";
    }
}
