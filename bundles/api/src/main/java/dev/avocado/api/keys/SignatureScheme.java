package dev.avocado.api.keys;

/** How a key service signs a digest that the caller computed. */
public enum SignatureScheme {
    /** ECDSA over a SHA-256 digest; the signature is DER (SEQUENCE of r and s). */
    ECDSA_SHA256("SHA-256", 32),
    /** ECDSA over a SHA-384 digest; the signature is DER. */
    ECDSA_SHA384("SHA-384", 48),
    /** RSASSA-PKCS1-v1_5 over a SHA-256 digest. */
    RSA_PKCS1_SHA256("SHA-256", 32),
    /** RSASSA-PSS over a SHA-256 digest, MGF1 with SHA-256, salt length 32 (the hash length, as TLS 1.3 needs). */
    RSA_PSS_SHA256("SHA-256", 32);

    private final String digestAlgorithm;
    private final int digestLength;

    SignatureScheme(String digestAlgorithm, int digestLength) {
        this.digestAlgorithm = digestAlgorithm;
        this.digestLength = digestLength;
    }

    public String digestAlgorithm() {
        return digestAlgorithm;
    }

    public int digestLength() {
        return digestLength;
    }

    public boolean fits(KeyAlgorithm algorithm) {
        return switch (this) {
            case ECDSA_SHA256, ECDSA_SHA384 -> algorithm == KeyAlgorithm.EC_P256;
            case RSA_PKCS1_SHA256, RSA_PSS_SHA256 -> algorithm == KeyAlgorithm.RSA_2048;
        };
    }
}
