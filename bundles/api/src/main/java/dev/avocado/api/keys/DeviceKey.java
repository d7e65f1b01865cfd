package dev.avocado.api.keys;

import java.security.PrivateKey;
import java.security.PublicKey;
import org.osgi.annotation.versioning.ProviderType;

/** A private key held by a {@link KeyService}; only its public half and a handle leave the store. */
@ProviderType
public interface DeviceKey {

    /** The alias the key is known by, for example {@link KeyService#IDEVID}. */
    String alias();

    KeyAlgorithm algorithm();

    PublicKey publicKey();

    /** Where the key lives, for example {@code tpm:0x81010001} or {@code file:/data/keys/idevid.p8}. */
    String location();

    /**
     * A JCA handle for the private key. Use it with {@link KeyService#provider()}: for a TPM key it is
     * only a reference and signatures are computed in the TPM.
     */
    PrivateKey privateKey();
}
