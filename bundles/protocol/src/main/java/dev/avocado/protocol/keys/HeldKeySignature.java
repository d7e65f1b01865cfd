package dev.avocado.protocol.keys;

import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import java.io.ByteArrayOutputStream;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.DigestInfo;

/**
 * Signatures with held keys: the message is hashed here, the digest is signed in the key's store. Only
 * {@link HeldKey} handles are accepted, so JCA and BouncyCastle (as an alternate provider) fall back to
 * it exactly for those keys.
 */
abstract class HeldKeySignature extends SignatureSpi {

    private HeldKey key;

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
        if (!(privateKey instanceof HeldKey k)) {
            throw new InvalidKeyException("this provider signs with keys held in a TPM or token only, not "
                    + (privateKey == null ? "null" : privateKey.getClass().getName()));
        }
        this.key = k;
        reset();
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
        throw new InvalidKeyException("this provider only signs; verify with any other provider");
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
        throw new SignatureException("this provider only signs");
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        if (key == null) {
            throw new SignatureException("not initialized for signing");
        }
        try {
            Signing s = finish();
            return key.signer().sign(key.alias(), s.scheme(), s.digest());
        } catch (KeyServiceException e) {
            throw new SignatureException(e.getMessage(), e);
        } finally {
            reset();
        }
    }

    /** The scheme and digest to send to the store. */
    record Signing(SignatureScheme scheme, byte[] digest) {
    }

    abstract void reset();

    abstract Signing finish() throws SignatureException;

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) throws InvalidParameterException {
        throw new InvalidParameterException("no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) throws InvalidParameterException {
        throw new InvalidParameterException("no parameters");
    }

    /** SHA256withECDSA and friends: hash here, sign the digest in the store. */
    static class Hashing extends HeldKeySignature {
        private final SignatureScheme scheme;
        private final MessageDigest md;

        Hashing(SignatureScheme scheme) {
            this.scheme = scheme;
            try {
                this.md = MessageDigest.getInstance(scheme.digestAlgorithm());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void reset() {
            md.reset();
        }

        @Override
        protected void engineUpdate(byte b) {
            md.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            md.update(b, off, len);
        }

        @Override
        Signing finish() {
            return new Signing(scheme, md.digest());
        }
    }

    /** RSASSA-PSS and SHA256withRSAandMGF1: only SHA-256, MGF1-SHA-256 and a 32-byte salt (TLS 1.3's). */
    static final class Pss extends Hashing {
        Pss() {
            super(SignatureScheme.RSA_PSS_SHA256);
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            if (!(params instanceof PSSParameterSpec p) || !"SHA-256".equalsIgnoreCase(p.getDigestAlgorithm().replace("SHA256", "SHA-256"))
                    || !(p.getMGFParameters() instanceof MGF1ParameterSpec m)
                    || !"SHA-256".equalsIgnoreCase(m.getDigestAlgorithm().replace("SHA256", "SHA-256"))
                    || p.getSaltLength() != 32) {
                throw new InvalidAlgorithmParameterException("held keys sign RSA-PSS with SHA-256, MGF1-SHA-256 and a "
                        + "32-byte salt only");
            }
        }
    }

    /** The NONEwith... signatures: the caller hashed already, the input is kept as it comes. */
    abstract static class Prehashed extends HeldKeySignature {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        void reset() {
            data.reset();
        }

        @Override
        protected void engineUpdate(byte b) {
            data.write(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            data.write(b, off, len);
        }
    }

    /** NONEwithECDSA: the input is the digest (TLS computes it); 32 bytes mean SHA-256, 48 SHA-384. */
    static final class RawEcdsa extends Prehashed {
        @Override
        Signing finish() throws SignatureException {
            byte[] digest = data.toByteArray();
            return switch (digest.length) {
                case 32 -> new Signing(SignatureScheme.ECDSA_SHA256, digest);
                case 48 -> new Signing(SignatureScheme.ECDSA_SHA384, digest);
                default -> throw new SignatureException("NONEwithECDSA with a held key takes a SHA-256 or SHA-384 "
                        + "digest, not " + digest.length + " bytes");
            };
        }
    }

    /** NONEwithRSA: the input is a DigestInfo (PKCS#1 v1.5 in TLS 1.2); the store adds it back itself. */
    static final class RawRsa extends Prehashed {
        @Override
        Signing finish() throws SignatureException {
            try {
                DigestInfo info = DigestInfo.getInstance(data.toByteArray());
                if (!NISTObjectIdentifiers.id_sha256.equals(info.getAlgorithmId().getAlgorithm())) {
                    throw new SignatureException("held keys sign RSA PKCS#1 v1.5 over SHA-256 only, not "
                            + info.getAlgorithmId().getAlgorithm());
                }
                return new Signing(SignatureScheme.RSA_PKCS1_SHA256, info.getDigest());
            } catch (IllegalArgumentException e) {
                throw new SignatureException("NONEwithRSA input is not a DigestInfo: " + e.getMessage(), e);
            }
        }
    }
}
