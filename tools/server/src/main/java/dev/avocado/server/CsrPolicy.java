package dev.avocado.server;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.Signatures;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * What the CAs here accept of a device's CSR (the manufacturer's at O.4, the domain's at D.4): it proves
 * possession of its key (its signature verifies), carries an ECC P-256 or RSA (2048 bits or more) key,
 * and names a well-formed serial number in its subject.
 */
public final class CsrPolicy {

    /** What a CSR that passed says. */
    public record Accepted(String serial, PublicKey publicKey) {
    }

    private CsrPolicy() {
    }

    /** The CSR of an EST enrollment (application/pkcs10, base64 DER, RFC 7030 4.2.1), checked by this policy. */
    public static Accepted check(HttpsServer.Exchange ex) throws Rejection {
        if (!Est.PKCS10.equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type " + Est.PKCS10 + ", got '" + ex.contentType() + "'");
        }
        try {
            return check(Est.parseCsr(ex.body()));
        } catch (EstException e) {
            throw new Rejection(400, e.getMessage());
        }
    }

    public static Accepted check(PKCS10CertificationRequest csr) throws Rejection {
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).setProvider(Signatures.provider()).getPublicKey();
        } catch (Exception e) {
            throw new Rejection(400, "the CSR's public key cannot be read: " + e.getMessage());
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(
                    Signatures.forAlgorithm(csr.getSignatureAlgorithm())).build(key))) {
                throw new Rejection(400, "the CSR's signature does not verify: no proof of possession of its key");
            }
        } catch (Rejection r) {
            throw r;
        } catch (Exception e) {
            throw new Rejection(400, "the CSR's signature cannot be checked: " + e.getMessage());
        }
        checkKey(key, csr);
        X500Name subject = csr.getSubject();
        String serial = Names.attribute(subject, Oids.SERIAL_NUMBER).orElseThrow(() -> new Rejection(400,
                "the CSR's subject has no serialNumber (2.5.4.5): the IDevID names the device by it"));
        try {
            IdevidProfile.checkSerial(serial);
        } catch (ProfileException e) {
            throw new Rejection(400, "the CSR's subject " + e.getMessage());
        }
        return new Accepted(serial, key);
    }

    private static void checkKey(PublicKey key, PKCS10CertificationRequest csr) throws Rejection {
        if (key instanceof ECPublicKey) {
            ASN1Encodable curve = csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters();
            if (!SECObjectIdentifiers.secp256r1.equals(curve)) {
                throw new Rejection(400, "the CSR's EC key is not on the named curve P-256 (secp256r1), but " + curve);
            }
            return;
        }
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new Rejection(400, "the CSR's RSA key has " + rsa.getModulus().bitLength() + " bits; 2048 or more are needed");
            }
            return;
        }
        throw new Rejection(400, "the CSR's key is " + key.getAlgorithm() + "; ECC P-256 or RSA 2048 are accepted");
    }
}
