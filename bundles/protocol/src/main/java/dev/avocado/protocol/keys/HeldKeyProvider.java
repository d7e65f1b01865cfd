package dev.avocado.protocol.keys;

import dev.avocado.api.keys.SignatureScheme;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JCA provider of a key store's {@link HeldKey} handles: Signature services that accept only them.
 * It is never added to java.security.Security; callers pass it explicitly (BouncyCastle's
 * JcaContentSignerBuilder.setProvider, BCJSSE's alternate provider for private keys).
 */
public final class HeldKeyProvider extends Provider {
    private static final long serialVersionUID = 1L;

    /**
     * @param name the provider's name, one per store ("AvocadoTPM", "AvocadoPKCS11")
     */
    public HeldKeyProvider(String name, String description) {
        super(name, "1.0", description);
        add("SHA256withECDSA", List.of("1.2.840.10045.4.3.2"), () -> new HeldKeySignature.Hashing(SignatureScheme.ECDSA_SHA256));
        add("SHA384withECDSA", List.of("1.2.840.10045.4.3.3"), () -> new HeldKeySignature.Hashing(SignatureScheme.ECDSA_SHA384));
        add("NONEwithECDSA", List.of(), HeldKeySignature.RawEcdsa::new);
        add("SHA256withRSA", List.of("1.2.840.113549.1.1.11"), () -> new HeldKeySignature.Hashing(SignatureScheme.RSA_PKCS1_SHA256));
        add("NONEwithRSA", List.of(), HeldKeySignature.RawRsa::new);
        add("RSASSA-PSS", List.of("1.2.840.113549.1.1.10", "SHA256withRSAandMGF1"), HeldKeySignature.Pss::new);
    }

    private void add(String name, List<String> aliases, Supplier<HeldKeySignature> factory) {
        putService(new Service(this, "Signature", name, HeldKeySignature.class.getName(), aliases,
                Map.of("SupportedKeyClasses", HeldKey.class.getName())) {
            @Override
            public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                return factory.get();
            }
        });
    }
}
