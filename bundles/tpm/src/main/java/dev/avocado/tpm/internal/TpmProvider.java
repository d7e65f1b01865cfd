package dev.avocado.tpm.internal;

import dev.avocado.api.keys.SignatureScheme;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JCA provider of TPM keys: Signature services that accept {@link TpmPrivateKey} handles. It is
 * never added to java.security.Security; callers pass it explicitly (BouncyCastle's
 * JcaContentSignerBuilder.setProvider, BCJSSE's alternate provider for private keys).
 */
final class TpmProvider extends Provider {
    private static final long serialVersionUID = 1L;

    static final String NAME = "AvocadoTPM";

    TpmProvider() {
        super(NAME, "1.0", "Signatures with keys held in a TPM 2.0 (Avocado)");
        add("SHA256withECDSA", List.of("1.2.840.10045.4.3.2"), () -> new TpmSignature.Hashing(SignatureScheme.ECDSA_SHA256));
        add("SHA384withECDSA", List.of("1.2.840.10045.4.3.3"), () -> new TpmSignature.Hashing(SignatureScheme.ECDSA_SHA384));
        add("NONEwithECDSA", List.of(), TpmSignature.RawEcdsa::new);
        add("SHA256withRSA", List.of("1.2.840.113549.1.1.11"), () -> new TpmSignature.Hashing(SignatureScheme.RSA_PKCS1_SHA256));
        add("NONEwithRSA", List.of(), TpmSignature.RawRsa::new);
        add("RSASSA-PSS", List.of("1.2.840.113549.1.1.10", "SHA256withRSAandMGF1"), TpmSignature.Pss::new);
    }

    private void add(String name, List<String> aliases, Supplier<TpmSignature> factory) {
        putService(new Service(this, "Signature", name, TpmSignature.class.getName(), aliases,
                Map.of("SupportedKeyClasses", TpmPrivateKey.class.getName())) {
            @Override
            public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                return factory.get();
            }
        });
    }
}
