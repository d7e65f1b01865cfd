package dev.avocado.protocol.est;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * EST (RFC 7030) bodies: base64 DER, with or without line breaks. Certificates travel as a CMS
 * SignedData without signers ("certs-only", application/pkcs7-mime), requests as PKCS#10.
 */
public final class Est {

    public static final String PATH = "/.well-known/est";
    public static final String CACERTS = PATH + "/cacerts";
    public static final String SIMPLEENROLL = PATH + "/simpleenroll";
    public static final String SIMPLEREENROLL = PATH + "/simplereenroll";
    public static final String CSRATTRS = PATH + "/csrattrs";

    public static final String CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";
    public static final String PKCS10 = "application/pkcs10";
    public static final String CSRATTRS_TYPE = "application/csrattrs";

    /**
     * Bodies are base64 in lines of 64 with LF: RFC 8951 lets receivers take any line breaks, and LF
     * is what shell tools (base64 -d) read.
     */
    private static final Base64.Encoder BODY = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Est() {
    }

    /** The certs-only body for certificates: base64 of a signer-less CMS SignedData. */
    public static byte[] certsOnly(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            g.addCertificates(new JcaCertStore(certificates));
            CMSSignedData sd = g.generate(new CMSProcessableByteArray(new byte[0]));
            return BODY.encode(sd.getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER));
        } catch (CMSException | CertificateException | IOException e) {
            throw new IllegalStateException("cannot encode certs-only: " + e.getMessage(), e);
        }
    }

    /**
     * The certificates of a certs-only body, in the order they appear.
     *
     * @throws EstException if the body is not base64, not CMS SignedData, or holds no certificate
     */
    public static List<X509Certificate> parseCertsOnly(byte[] body) throws EstException {
        byte[] der = base64(body, "certs-only response");
        try {
            CMSSignedData sd = new CMSSignedData(der);
            List<X509Certificate> certs = new ArrayList<>();
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (X509CertificateHolder h : sd.getCertificates().getMatches(null)) {
                certs.add(converter.getCertificate(h));
            }
            if (certs.isEmpty()) {
                throw new EstException("certs-only response holds no certificate");
            }
            return certs;
        } catch (CMSException | CertificateException | RuntimeException e) {
            throw new EstException("certs-only response is not a CMS SignedData with certificates: " + e.getMessage(), e);
        }
    }

    /** The body of a PKCS#10 request: base64 of its DER. */
    public static byte[] csr(PKCS10CertificationRequest csr) {
        try {
            return BODY.encode(csr.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PKCS#10 request of a body. */
    public static PKCS10CertificationRequest parseCsr(byte[] body) throws EstException {
        byte[] der = base64(body, "PKCS#10 request");
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new EstException("PKCS#10 request is not DER: " + e.getMessage(), e);
        }
    }

    /**
     * The csrattrs body (base64 DER) asking for a subject serialNumber (the device's, RFC 8995 5.9.2),
     * an EC P-256 key, and ECDSA with SHA-256.
     */
    public static byte[] csrattrsEcP256() {
        try {
            CsrAttrs attrs = new CsrAttrs(new AttrOrOID[] {
                new AttrOrOID(dev.avocado.protocol.x509.Oids.SERIAL_NUMBER),
                new AttrOrOID(X9ObjectIdentifiers.ecdsa_with_SHA256),
                new AttrOrOID(new Attribute(X9ObjectIdentifiers.id_ecPublicKey, new DERSet(SECObjectIdentifiers.secp256r1)))});
            return BODY.encode(attrs.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The key a csrattrs body asks for: "EC_P256" or "RSA_2048" (the device's key algorithms). An
     * empty body asks for nothing: EC_P256.
     *
     * @throws EstException when the body is malformed or asks for a key the device cannot make
     */
    public static String keyAlgorithm(byte[] csrattrs) throws EstException {
        if (new String(csrattrs, StandardCharsets.US_ASCII).isBlank()) {
            return "EC_P256";
        }
        CsrAttrs attrs;
        try {
            attrs = CsrAttrs.getInstance(ASN1Primitive.fromByteArray(base64(csrattrs, "csrattrs")));
        } catch (IOException | RuntimeException e) {
            throw new EstException("csrattrs is not a DER CsrAttrs: " + e.getMessage(), e);
        }
        for (AttrOrOID a : attrs.getAttrOrOIDs()) {
            if (a.isOid()) {
                if (PKCSObjectIdentifiers.rsaEncryption.equals(a.getOid())) {
                    return "RSA_2048";
                }
                continue;
            }
            Attribute attr = a.getAttribute();
            if (X9ObjectIdentifiers.id_ecPublicKey.equals(attr.getAttrType())) {
                for (ASN1Encodable v : attr.getAttrValues()) {
                    if (!SECObjectIdentifiers.secp256r1.equals(v)) {
                        throw new EstException("csrattrs asks for an EC key on curve " + v + "; this device makes P-256 (secp256r1)");
                    }
                }
                return "EC_P256";
            }
            if (PKCSObjectIdentifiers.rsaEncryption.equals(attr.getAttrType())) {
                for (ASN1Encodable v : attr.getAttrValues()) {
                    if (v instanceof ASN1Integer bits && bits.intValueExact() > 2048) {
                        throw new EstException("csrattrs asks for an RSA key of " + bits + " bits; this device makes 2048");
                    }
                }
                return "RSA_2048";
            }
        }
        return "EC_P256";
    }

    /** Decodes base64 with or without line breaks; anything else than base64 and white space is an error. */
    static byte[] base64(byte[] body, String what) throws EstException {
        String text = new String(body, StandardCharsets.US_ASCII).replaceAll("[\\r\\n\\t ]", "");
        if (text.isEmpty()) {
            throw new EstException(what + " is empty");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new EstException(what + " is not base64: " + e.getMessage(), e);
        }
    }
}
