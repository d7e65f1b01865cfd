package dev.avocado.api.keys;

import java.security.Provider;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Generates and uses device private keys without letting them out. One implementation keeps keys in a
 * TPM 2.0, another in software files for machines without a TPM.
 */
@ProviderType
public interface KeyService {

    /** Alias of the IDevID key (IEEE 802.1AR initial device identifier). */
    String IDEVID = "idevid";
    /** Alias of the LDevID key (locally significant device identifier). */
    String LDEVID = "ldevid";

    /** Service property naming the implementation ("tpm", "soft"), for selection by target filter. */
    String TYPE_PROPERTY = "avocado.keys.type";

    /**
     * The configuration that selects the device's key service: its {@code keyService.target} filter is
     * read by every component that uses the device keys (beside its own configuration).
     */
    String SELECTION_PID = "dev.avocado.keys";

    /** The selection without configuration: software keys. */
    String DEFAULT_SELECTION = "(" + TYPE_PROPERTY + "=soft)";

    /** Short name of the implementation, the value of {@link #TYPE_PROPERTY}. */
    String type();

    /** True when private keys are in secure storage (a TPM), false for software keys. */
    boolean secureStorage();

    /** One line describing the store, for example the TPM manufacturer or the key folder. */
    String describe();

    /**
     * Checks that the store can be used now (the TPM answers, the key folder is there).
     *
     * @throws KeyServiceException saying what is wrong, for example that no TPM answers at the configured TCTI
     */
    void check() throws KeyServiceException;

    /**
     * Creates a key under an alias that has none.
     *
     * @throws KeyServiceException if the alias is taken, the algorithm is not supported or the store fails
     */
    DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException;

    /** The key under this alias, if there is one. */
    Optional<DeviceKey> find(String alias) throws KeyServiceException;

    /** The key under this alias, created first when there is none. */
    default DeviceKey findOrCreate(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        Optional<DeviceKey> existing = find(alias);
        if (existing.isPresent()) {
            if (existing.get().algorithm() != algorithm) {
                throw new KeyServiceException("key " + alias + " exists with algorithm "
                        + existing.get().algorithm() + ", not " + algorithm);
            }
            return existing.get();
        }
        return create(alias, algorithm);
    }

    /** Destroys the key under this alias; does nothing when there is none. */
    void destroy(String alias) throws KeyServiceException;

    List<DeviceKey> list() throws KeyServiceException;

    /**
     * Signs a digest the caller computed with {@link SignatureScheme#digestAlgorithm()}.
     *
     * @return the signature: DER for ECDSA, the raw octets for RSA
     */
    byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException;

    /** Random bytes for nonces, from the TPM's generator when keys are in a TPM. */
    byte[] random(int length) throws KeyServiceException;

    /**
     * A JCA provider whose Signature implementations accept {@link DeviceKey#privateKey()} handles of
     * this service, so BouncyCastle content signers (CSR, CMS) and TLS key managers work unchanged.
     */
    Provider provider();
}
