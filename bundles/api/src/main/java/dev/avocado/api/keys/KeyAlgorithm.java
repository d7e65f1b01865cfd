package dev.avocado.api.keys;

/** Key types a device key service can generate. */
public enum KeyAlgorithm {
    /** ECDSA on NIST P-256, the default for IDevID and LDevID keys. */
    EC_P256,
    /** RSA 2048, an option where a peer cannot do ECDSA. */
    RSA_2048
}
