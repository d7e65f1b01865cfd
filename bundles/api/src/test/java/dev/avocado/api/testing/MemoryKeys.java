package dev.avocado.api.testing;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Real P-256 keys held in memory: a key service for the bundles' unit tests (not secure storage). */
public final class MemoryKeys implements KeyService {

    private final Map<String, KeyPair> keys = new LinkedHashMap<>();

    public KeyPair put(String alias, KeyPair pair) {
        keys.put(alias, pair);
        return pair;
    }

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public boolean secureStorage() {
        return false;
    }

    @Override
    public String describe() {
        return "memory keys";
    }

    @Override
    public void check() {
    }

    @Override
    public DeviceKey create(String alias, KeyAlgorithm algorithm) {
        return key(alias, put(alias, ecP256()));
    }

    @Override
    public Optional<DeviceKey> find(String alias) {
        KeyPair p = keys.get(alias);
        return p == null ? Optional.empty() : Optional.of(key(alias, p));
    }

    @Override
    public void destroy(String alias) {
        keys.remove(alias);
    }

    @Override
    public List<DeviceKey> list() {
        List<DeviceKey> all = new ArrayList<>();
        keys.forEach((a, p) -> all.add(key(a, p)));
        return all;
    }

    @Override
    public byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        throw new KeyServiceException("the boot does not sign");
    }

    @Override
    public byte[] random(int length) {
        byte[] b = new byte[length];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public Provider provider() {
        return null;
    }

    /** A fresh P-256 key pair from the JDK. */
    public static KeyPair ecP256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no P-256 in this JDK: " + e.getMessage(), e);
        }
    }

    private static DeviceKey key(String alias, KeyPair pair) {
        return new DeviceKey() {
            @Override
            public String alias() {
                return alias;
            }

            @Override
            public KeyAlgorithm algorithm() {
                return KeyAlgorithm.EC_P256;
            }

            @Override
            public PublicKey publicKey() {
                return pair.getPublic();
            }

            @Override
            public String location() {
                return "memory:" + alias;
            }

            @Override
            public PrivateKey privateKey() {
                return pair.getPrivate();
            }
        };
    }
}
