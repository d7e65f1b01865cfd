package dev.avocado.tpm;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.protocol.x509.Bc;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;

/**
 * A TPMT_PUBLIC: what a TPM object is (type, attributes, scheme, curve or key size) and its public key.
 * Built as a template for TPM2_Create and TPM2_CreatePrimary, parsed from TPM2_ReadPublic.
 */
record TpmPublic(int type, int nameAlg, int attributes, int curveOrBits, int exponent, byte[] x, byte[] y) {

    /** The storage root key template (TCG EK/SRK provisioning guidance: ECC P-256, AES-128 CFB). */
    static byte[] storageRootTemplate() {
        return new TpmWriter().u16(Tpm2.ALG_ECC).u16(Tpm2.ALG_SHA256).u32(Tpm2.STORAGE_KEY).tpm2b(new byte[0])
                .u16(Tpm2.ALG_AES).u16(128).u16(Tpm2.ALG_CFB)
                .u16(Tpm2.ALG_NULL)
                .u16(Tpm2.ECC_NIST_P256)
                .u16(Tpm2.ALG_NULL)
                .tpm2b(new byte[32]).tpm2b(new byte[32])
                .sized();
    }

    /** A signing key template: the scheme is left open (NULL) so each Sign names its own. */
    static byte[] signingTemplate(KeyAlgorithm algorithm) {
        TpmWriter w = new TpmWriter();
        switch (algorithm) {
            case EC_P256 -> w.u16(Tpm2.ALG_ECC).u16(Tpm2.ALG_SHA256).u32(Tpm2.SIGNING_KEY).tpm2b(new byte[0])
                    .u16(Tpm2.ALG_NULL)
                    .u16(Tpm2.ALG_NULL)
                    .u16(Tpm2.ECC_NIST_P256)
                    .u16(Tpm2.ALG_NULL)
                    .tpm2b(new byte[0]).tpm2b(new byte[0]);
            case RSA_2048 -> w.u16(Tpm2.ALG_RSA).u16(Tpm2.ALG_SHA256).u32(Tpm2.SIGNING_KEY).tpm2b(new byte[0])
                    .u16(Tpm2.ALG_NULL)
                    .u16(Tpm2.ALG_NULL)
                    .u16(2048).u32(0)
                    .tpm2b(new byte[0]);
        }
        return w.sized();
    }

    /** Parses a TPM2B_PUBLIC. */
    static TpmPublic parse(byte[] tpm2bPublic) {
        TpmReader r = new TpmReader(tpm2bPublic, "TPM2B_PUBLIC");
        r.u16(); // size
        int type = r.u16();
        int nameAlg = r.u16();
        int attributes = r.u32();
        r.tpm2b(); // authPolicy
        int symmetric = r.u16();
        if (symmetric != Tpm2.ALG_NULL) {
            r.u16();
            r.u16();
        }
        int scheme = r.u16();
        if (scheme != Tpm2.ALG_NULL) {
            r.u16();
        }
        return switch (type) {
            case Tpm2.ALG_ECC -> {
                int curve = r.u16();
                if (r.u16() != Tpm2.ALG_NULL) { // kdf
                    r.u16();
                }
                yield new TpmPublic(type, nameAlg, attributes, curve, 0, r.tpm2b(), r.tpm2b());
            }
            case Tpm2.ALG_RSA -> {
                int bits = r.u16();
                int exponent = r.u32();
                yield new TpmPublic(type, nameAlg, attributes, bits, exponent == 0 ? 65537 : exponent, r.tpm2b(), null);
            }
            default -> throw new IllegalArgumentException("TPM object of type 0x" + Integer.toHexString(type)
                    + " is neither ECC nor RSA");
        };
    }

    KeyAlgorithm algorithm() {
        if (type == Tpm2.ALG_ECC && curveOrBits == Tpm2.ECC_NIST_P256) {
            return KeyAlgorithm.EC_P256;
        }
        if (type == Tpm2.ALG_RSA && curveOrBits == 2048) {
            return KeyAlgorithm.RSA_2048;
        }
        return null;
    }

    /** Why this object cannot serve as a device key of {@code wanted}, or null when it can. */
    String unfitAsSigningKey(KeyAlgorithm wanted) {
        KeyAlgorithm actual = algorithm();
        if (actual == null) {
            return "it is a " + describe() + ", not an ECC P-256 or RSA 2048 key";
        }
        if (wanted != null && actual != wanted) {
            return "it is a " + actual + " key, not " + wanted;
        }
        if ((attributes & Tpm2.SIGNING_KEY) != Tpm2.SIGNING_KEY || (attributes & Tpm2.RESTRICTED) != 0
                || (attributes & Tpm2.DECRYPT) != 0) {
            return "its attributes are 0x" + Integer.toHexString(attributes) + ", not fixedTPM|fixedParent|"
                    + "sensitiveDataOrigin|userWithAuth|sign (0x" + Integer.toHexString(Tpm2.SIGNING_KEY) + ")";
        }
        return null;
    }

    String describe() {
        String t = type == Tpm2.ALG_ECC ? "ECC curve 0x" + Integer.toHexString(curveOrBits)
                : type == Tpm2.ALG_RSA ? "RSA " + curveOrBits : "type 0x" + Integer.toHexString(type);
        return t + " object with attributes 0x" + Integer.toHexString(attributes);
    }

    PublicKey publicKey() {
        try {
            if (type == Tpm2.ALG_ECC) {
                ECNamedCurveParameterSpec p256 = ECNamedCurveTable.getParameterSpec("secp256r1");
                ECPublicKeySpec spec = new ECPublicKeySpec(p256.getCurve().createPoint(new BigInteger(1, x),
                        new BigInteger(1, y)), p256);
                // re-encoded by the JDK so equals() and getEncoded() compare with certificate keys
                PublicKey bc = KeyFactory.getInstance("EC", Bc.PROVIDER).generatePublic(spec);
                return KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(bc.getEncoded()));
            }
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, x),
                    BigInteger.valueOf(exponent & 0xffffffffL)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TPM public key is not a valid " + describe() + ": " + e.getMessage(), e);
        }
    }
}
