package dev.avocado.protocol.profile;

import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.Names;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The LDevID (IEEE 802.1AR locally significant device identifier) that a domain CA issues at D.5 and
 * the device checks at D.6: the device serial as serialNumber and CN (the EAP-TLS identity), TLS
 * client authentication, under the domain CA.
 */
public final class LdevidProfile {

    private LdevidProfile() {
    }

    /** The subject: the owner as O, the serial as CN and as serialNumber. */
    public static X500Name subject(String owner, String serial) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        if (owner != null && !owner.isBlank()) {
            b.addRDN(BCStyle.O, owner);
        }
        b.addRDN(BCStyle.CN, serial);
        b.addRDN(BCStyle.SERIALNUMBER, serial);
        return b.build();
    }

    /** D.5: issues an LDevID. */
    public static X509Certificate issue(X509Certificate domainCa, PrivateKey caKey, X500Name subject, PublicKey deviceKey,
            Instant notBefore, Instant notAfter) {
        return CertificateBuilder.subject(subject, deviceKey).issuer(domainCa, caKey).validity(notBefore, notAfter)
                .endEntity().keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(KeyPurposeId.id_kp_clientAuth).build();
    }

    /**
     * D.6: the certificate is for this key and serial, for TLS client authentication, valid now, and
     * chains to the domain's trust anchors.
     *
     * @param chain the LDevID first, then any CA certificates between it and the anchors
     * @throws ProfileException naming the rule broken
     */
    public static void check(List<X509Certificate> chain, List<X509Certificate> domainAnchors, PublicKey key, String serial,
            Instant now) throws ProfileException {
        X509Certificate cert = chain.get(0);
        if (!Arrays.equals(cert.getPublicKey().getEncoded(), key.getEncoded())) {
            throw new ProfileException("the LDevID " + Describe.cert(cert) + " is for another key than the one the CSR was for");
        }
        String named = Names.serialNumber(cert).orElse(null);
        if (!serial.equals(named)) {
            throw new ProfileException("the LDevID " + Describe.cert(cert) + " is for serial " + named + ", not " + serial);
        }
        try {
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku != null && !eku.contains(KeyPurposeId.id_kp_clientAuth.getId())) {
                throw new ProfileException("the LDevID " + Describe.cert(cert) + " is not for TLS client authentication "
                        + "(extended key usage " + eku + ")");
            }
        } catch (CertificateParsingException e) {
            throw new ProfileException("the LDevID " + Describe.cert(cert) + " has a malformed extended key usage", e);
        }
        MprProfile.checkValidity(cert, now);
        try {
            CertPaths.validate(cert, chain, domainAnchors, now);
        } catch (GeneralSecurityException e) {
            throw new ProfileException("the LDevID " + Describe.cert(cert) + " does not chain to the domain CA: "
                    + e.getMessage(), e);
        }
    }
}
