package dev.avocado.pkcs11.internal;

import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.protocol.x509.Bc;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Between PKCS#11's encodings (CKA_EC_POINT, raw r||s) and JCA's (SubjectPublicKeyInfo, DER signatures). */
final class TokenPublicKeys {

    private TokenPublicKeys() {
    }

    /**
     * A P-256 public key from CKA_EC_POINT: a DER OCTET STRING around the uncompressed point, as PKCS#11
     * 2.40 says, or the bare point, as some modules give it.
     */
    static PublicKey ec(byte[] ecPoint) throws KeyServiceException {
        if (ecPoint == null) {
            throw new KeyServiceException("the token gave no CKA_EC_POINT");
        }
        byte[] point = ecPoint;
        if (!(ecPoint.length == 65 && ecPoint[0] == 0x04)) {
            try {
                point = ASN1OctetString.getInstance(ecPoint).getOctets();
            } catch (IllegalArgumentException e) {
                throw new KeyServiceException("CKA_EC_POINT is neither a DER octet string nor an uncompressed point", e);
            }
        }
        try {
            SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                    SECObjectIdentifiers.secp256r1), point);
            // parsed by BouncyCastle (which checks the point is on the curve), handed out as the JDK's like the TPM's keys
            PublicKey bc = KeyFactory.getInstance("EC", Bc.PROVIDER).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(bc.getEncoded()));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyServiceException("CKA_EC_POINT is not a P-256 public key: " + e.getMessage(), e);
        }
    }

    static PublicKey rsa(BigInteger modulus, BigInteger exponent) throws KeyServiceException {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (GeneralSecurityException | NullPointerException e) {
            throw new KeyServiceException("the token's RSA public key cannot be read: " + e.getMessage(), e);
        }
    }

    /** CKM_ECDSA's r||s as the DER SEQUENCE of two INTEGERs JCA and X.509 use. */
    static byte[] derEcdsa(byte[] raw) throws KeyServiceException {
        if (raw.length == 0 || raw.length % 2 != 0) {
            throw new KeyServiceException("the token's ECDSA signature has " + raw.length + " bytes, not r||s");
        }
        int n = raw.length / 2;
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(raw, 0, n))),
                new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(raw, n, raw.length)))}).getEncoded();
        } catch (IOException e) {
            throw new KeyServiceException("cannot encode the signature: " + e.getMessage(), e);
        }
    }

    /** The DigestInfo CKM_RSA_PKCS signs for RSASSA-PKCS1-v1_5 with SHA-256. */
    static byte[] sha256DigestInfo(byte[] digest) throws KeyServiceException {
        try {
            return new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, org.bouncycastle.asn1.DERNull.INSTANCE),
                    digest).getEncoded();
        } catch (IOException e) {
            throw new KeyServiceException("cannot encode the DigestInfo: " + e.getMessage(), e);
        }
    }
}
