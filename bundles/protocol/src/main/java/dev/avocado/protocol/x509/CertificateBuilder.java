package dev.avocado.protocol.x509;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Issues X.509 v3 certificates. The profiles ({@code dev.avocado.protocol.profile}) say which fields a
 * kind of certificate has; this class only assembles and signs them.
 */
public final class CertificateBuilder {

    /** notAfter of a certificate that has no well-defined expiry (IEEE 802.1AR, RFC 5280 4.1.2.5). */
    public static final Instant NO_WELL_DEFINED_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X500Name subject;
    private final PublicKey publicKey;
    private X500Name issuer;
    private PublicKey issuerKey;
    /** The issuer's subject key identifier, which the authority key identifier repeats (RFC 5280 4.2.1.1). */
    private byte[] issuerKeyId;
    private PrivateKey signingKey;
    /** Null: the provider {@link Signatures#signing} names for the signing key. */
    private Provider signingProvider;
    private Instant notBefore = Instant.now().minusSeconds(60);
    private Instant notAfter;
    private BigInteger serial;
    private BasicConstraints basicConstraints;
    private Integer keyUsage;
    private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();
    private final List<GeneralName> subjectAltNames = new ArrayList<>();
    private final List<Object[]> extensions = new ArrayList<>();

    private CertificateBuilder(X500Name subject, PublicKey publicKey) {
        this.subject = Objects.requireNonNull(subject, "subject");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    }

    public static CertificateBuilder subject(X500Name subject, PublicKey publicKey) {
        return new CertificateBuilder(subject, publicKey);
    }

    public static CertificateBuilder subject(String dn, PublicKey publicKey) {
        return subject(new X500Name(dn), publicKey);
    }

    /** Signs with the subject's own key (a self-signed root). */
    public CertificateBuilder selfSigned(PrivateKey key) {
        this.issuer = subject;
        this.issuerKey = publicKey;
        this.signingKey = key;
        return this;
    }

    /** Signs with an issuing CA's key. */
    public CertificateBuilder issuer(X509Certificate issuerCert, PrivateKey issuerPrivateKey) {
        this.issuer = Names.subject(issuerCert);
        this.issuerKey = issuerCert.getPublicKey();
        byte[] ski = issuerCert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        this.issuerKeyId = ski == null ? null
                : org.bouncycastle.asn1.ASN1OctetString.getInstance(org.bouncycastle.asn1.ASN1OctetString.getInstance(ski)
                        .getOctets()).getOctets();
        this.signingKey = issuerPrivateKey;
        return this;
    }

    /** The JCA provider that signs with the issuer key (a TPM key service's provider, say). */
    public CertificateBuilder signingProvider(Provider provider) {
        this.signingProvider = provider;
        return this;
    }

    public CertificateBuilder validity(Instant from, Instant to) {
        this.notBefore = from;
        this.notAfter = to;
        return this;
    }

    public CertificateBuilder serial(BigInteger serial) {
        this.serial = serial;
        return this;
    }

    public CertificateBuilder ca(int pathLength) {
        this.basicConstraints = pathLength < 0 ? new BasicConstraints(true) : new BasicConstraints(pathLength);
        return this;
    }

    public CertificateBuilder endEntity() {
        this.basicConstraints = new BasicConstraints(false);
        return this;
    }

    /** Key usage bits of {@link KeyUsage}, for example {@code KeyUsage.keyCertSign | KeyUsage.cRLSign}. */
    public CertificateBuilder keyUsage(int bits) {
        this.keyUsage = bits;
        return this;
    }

    public CertificateBuilder extendedKeyUsage(KeyPurposeId... purposes) {
        extendedKeyUsages.addAll(List.of(purposes));
        return this;
    }

    public CertificateBuilder subjectAltName(GeneralName name) {
        subjectAltNames.add(name);
        return this;
    }

    public CertificateBuilder extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        extensions.add(new Object[] {oid, critical, value});
        return this;
    }

    public X509Certificate build() {
        if (signingKey == null) {
            throw new IllegalStateException("no issuer: call selfSigned or issuer");
        }
        if (notAfter == null) {
            throw new IllegalStateException("no validity: call validity");
        }
        BigInteger sn = serial != null ? serial : new BigInteger(127, RANDOM).add(BigInteger.ONE);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, sn, Date.from(notBefore),
                    Date.from(notAfter), subject, publicKey);
            if (basicConstraints != null) {
                b.addExtension(Extension.basicConstraints, true, basicConstraints);
            }
            if (keyUsage != null) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (!extendedKeyUsages.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(extendedKeyUsages.toArray(KeyPurposeId[]::new)));
            }
            if (!subjectAltNames.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            if (issuerKey != publicKey) {
                b.addExtension(Extension.authorityKeyIdentifier, false, issuerKeyId != null
                        ? new org.bouncycastle.asn1.x509.AuthorityKeyIdentifier(issuerKeyId)
                        : utils.createAuthorityKeyIdentifier(issuerKey));
            }
            for (Object[] e : extensions) {
                b.addExtension((ASN1ObjectIdentifier) e[0], (Boolean) e[1], (ASN1Encodable) e[2]);
            }
            Provider p = signingProvider != null ? signingProvider : Signatures.signing(signingKey);
            JcaContentSignerBuilder sb = new JcaContentSignerBuilder(signatureAlgorithm(signingKey));
            ContentSigner signer = (p == null ? sb : sb.setProvider(p)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (CertIOException | OperatorCreationException | CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot issue certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS#10 request, signed by {@code key} with the provider that holds it (a TPM key's provider
     * signs in the TPM; null: BouncyCastle).
     */
    public static PKCS10CertificationRequest csr(X500Name subject, PublicKey publicKey, PrivateKey key, Provider provider)
            throws OperatorCreationException {
        return new JcaPKCS10CertificationRequestBuilder(subject, publicKey).build(new JcaContentSignerBuilder(
                signatureAlgorithm(key)).setProvider(provider != null ? provider : Signatures.provider()).build(key));
    }

    /** The signature algorithm this project uses with a key: ECDSA or RSA PKCS#1 v1.5, SHA-256. */
    public static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    }
}
