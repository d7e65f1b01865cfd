package dev.avocado.pkcs11.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.protocol.keys.HeldKey;
import dev.avocado.protocol.keys.HeldKeyProvider;
import java.nio.file.Path;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * Device keys in a PKCS#11 token: made in the token (never extractable, always sensitive), found by
 * their label (the alias), used only through C_Sign. One logged-in session, all calls serialized; when
 * the connection is lost (the TPM behind the module restarted, the token was pulled) that call fails and
 * the next one loads the module afresh ({@link Pkcs11Token#call}).
 */
final class Pkcs11Keys implements AutoCloseable {

    /** DER of the OID prime256v1 (secp256r1), CKA_EC_PARAMS of a P-256 key. */
    private static final byte[] P256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};

    private final Pkcs11Token token;
    private final Provider provider = new HeldKeyProvider("AvocadoPKCS11", "Signatures with keys held in a PKCS#11 token (Avocado)");

    Pkcs11Keys(Path module, String label, Path pinFile, boolean initialize) {
        this.token = new Pkcs11Token(module, label, pinFile, initialize);
    }

    String describe() {
        return token.describe();
    }

    void check() throws KeyServiceException {
        token.call("open the token", s -> null);
    }

    Provider provider() {
        return provider;
    }

    synchronized DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        if (find(alias).isPresent()) {
            throw new KeyServiceException("key " + alias + " exists already in " + token.name());
        }
        byte[] id = alias.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        KeyPairTemplate template = new KeyPairTemplate(algorithm == KeyAlgorithm.EC_P256 ? PKCS11Constants.CKK_EC
                : PKCS11Constants.CKK_RSA).token(true).labels(alias).id(id);
        // usage (sign, decrypt...) as the token sets it: tpm2-pkcs11 refuses a template that differs from
        // what the TPM object allows (CKA_VERIFY on the public half, say)
        template.privateKey().private_(true).sensitive(true).extractable(false);
        long mechanism;
        if (algorithm == KeyAlgorithm.EC_P256) {
            template.publicKey().ecParams(P256);
            mechanism = PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
        } else {
            template.publicKey().modulusBits(2048).publicExponent(java.math.BigInteger.valueOf(65537));
            mechanism = PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
        }
        token.call("make key " + alias, s -> s.generateKeyPair(new Mechanism(mechanism), template));
        return find(alias).orElseThrow(() -> new KeyServiceException(token.name() + " made key " + alias
                + " but does not find it by its label"));
    }

    synchronized Optional<DeviceKey> find(String alias) throws KeyServiceException {
        return token.call("find key " + alias, s -> {
            long[] priv = s.findObjectsSingle(new AttributeVector().class_(PKCS11Constants.CKO_PRIVATE_KEY).label(alias), 2);
            if (priv.length == 0) {
                return Optional.<DeviceKey>empty();
            }
            long[] pub = s.findObjectsSingle(new AttributeVector().class_(PKCS11Constants.CKO_PUBLIC_KEY).label(alias), 1);
            if (priv.length > 1 || pub.length == 0) {
                throw new KeyServiceException(token.name() + " holds " + priv.length + " private and " + pub.length
                        + " public keys labelled " + alias + "; the key service needs exactly one of each");
            }
            AttributeVector a = s.getAttrValues(pub[0], PKCS11Constants.CKA_KEY_TYPE, PKCS11Constants.CKA_EC_POINT,
                    PKCS11Constants.CKA_MODULUS, PKCS11Constants.CKA_PUBLIC_EXPONENT);
            KeyAlgorithm algorithm = Long.valueOf(PKCS11Constants.CKK_EC).equals(a.keyType()) ? KeyAlgorithm.EC_P256
                    : KeyAlgorithm.RSA_2048;
            java.security.PublicKey publicKey = algorithm == KeyAlgorithm.EC_P256 ? TokenPublicKeys.ec(a.ecPoint())
                    : TokenPublicKeys.rsa(a.modulus(), a.publicExponent());
            return Optional.<DeviceKey>of(new Pkcs11DeviceKey(alias, algorithm, publicKey,
                    Pkcs11Uri.privateKey(token.label(), alias), token.module(), token.pin(),
                    new HeldKey(this::sign, token.name(), alias, algorithm)));
        });
    }

    synchronized void destroy(String alias) throws KeyServiceException {
        token.call("destroy key " + alias, s -> {
            for (long handle : s.findAllObjectsSingle(new AttributeVector().label(alias))) {
                s.destroyObject(handle);
            }
            return null;
        });
    }

    synchronized List<DeviceKey> list() throws KeyServiceException {
        List<String> labels = token.call("list keys", s -> {
            List<String> found = new ArrayList<>();
            for (long handle : s.findAllObjectsSingle(new AttributeVector().class_(PKCS11Constants.CKO_PRIVATE_KEY))) {
                String label = s.getAttrValues(handle, PKCS11Constants.CKA_LABEL).label();
                if (label != null && !found.contains(label)) {
                    found.add(label);
                }
            }
            return found;
        });
        List<DeviceKey> keys = new ArrayList<>();
        for (String label : labels) {
            find(label).ifPresent(keys::add);
        }
        return keys;
    }

    synchronized byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        if (digest.length != scheme.digestLength()) {
            throw new KeyServiceException("a " + scheme + " digest has " + scheme.digestLength() + " bytes, not " + digest.length);
        }
        return token.call("sign with key " + alias, s -> {
            long[] priv = s.findObjectsSingle(new AttributeVector().class_(PKCS11Constants.CKO_PRIVATE_KEY).label(alias), 1);
            if (priv.length == 0) {
                throw new KeyServiceException("no key " + alias + " in " + token.name());
            }
            return switch (scheme) {
                case ECDSA_SHA256, ECDSA_SHA384 -> TokenPublicKeys.derEcdsa(
                        s.signSingle(new Mechanism(PKCS11Constants.CKM_ECDSA), priv[0], digest));
                case RSA_PKCS1_SHA256 -> s.signSingle(new Mechanism(PKCS11Constants.CKM_RSA_PKCS), priv[0],
                        TokenPublicKeys.sha256DigestInfo(digest));
                case RSA_PSS_SHA256 -> s.signSingle(new Mechanism(PKCS11Constants.CKM_RSA_PKCS_PSS,
                        new RSA_PKCS_PSS_PARAMS(PKCS11Constants.CKM_SHA256, PKCS11Constants.CKG_MGF1_SHA256, 32)),
                        priv[0], digest);
            };
        });
    }

    synchronized byte[] random(int length) throws KeyServiceException {
        return token.call("draw random bytes", s -> s.generateRandom(length));
    }

    @Override
    public synchronized void close() {
        token.close();
    }

    /** The name of a PKCS#11 error for a message: CKR_PIN_INCORRECT and so on. */
    static String name(PKCS11Exception e) {
        return e.getErrorName() != null ? e.getErrorName() : "0x" + Long.toHexString(e.getErrorCode());
    }
}
