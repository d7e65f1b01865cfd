package dev.avocado.protocol.voucher;

import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import dev.avocado.protocol.x509.Signatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The CMS SignedData around vouchers and voucher requests (RFC 8366 section 5.4, RFC 8995): DER, one
 * signer, eContentType id-ct-animaJSONVoucher (id-data accepted on input), the signer's certificates
 * included.
 */
public final class VoucherCms {

    /** The media type of a signed voucher or voucher request, for Content-Type and Accept. */
    public static final String MEDIA_TYPE = "application/voucher-cms+json";

    /** A document whose signature verified. */
    public record Signed(Voucher voucher, X509Certificate signer, List<X509Certificate> certificates, byte[] json,
            String contentType) {
    }

    private VoucherCms() {
    }

    /**
     * Signs a voucher or voucher request.
     *
     * @param certificates the signer's certificate first, then any chain to include
     * @param provider the JCA provider of the key (a TPM key's), or null for BouncyCastle
     */
    public static byte[] sign(Voucher voucher, PrivateKey key, Provider provider, List<X509Certificate> certificates)
            throws VoucherException {
        return sign(voucher, key, provider, certificates, true);
    }

    /**
     * @param signingTime whether to add the signingTime attribute (the signer's clock): a device that may
     *        not know the time claims none, since a verifier checks the signer's certificate at that time
     */
    public static byte[] sign(Voucher voucher, PrivateKey key, Provider provider, List<X509Certificate> certificates,
            boolean signingTime) throws VoucherException {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            JcaSignerInfoGeneratorBuilder signer = new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder()
                    .setProvider(Bc.PROVIDER).build());
            if (!signingTime) {
                signer.setSignedAttributeGenerator(new org.bouncycastle.cms.DefaultSignedAttributeTableGenerator() {
                    @Override
                    protected java.util.Hashtable createStandardAttributeTable(java.util.Map parameters) {
                        java.util.Hashtable table = super.createStandardAttributeTable(parameters);
                        table.remove(org.bouncycastle.asn1.cms.CMSAttributes.signingTime);
                        return table;
                    }
                });
            }
            Provider p = provider != null ? provider : Signatures.signing(key);
            JcaContentSignerBuilder sb = new JcaContentSignerBuilder(CertificateBuilder.signatureAlgorithm(key));
            g.addSignerInfoGenerator(signer.build((p == null ? sb : sb.setProvider(p)).build(key), certificates.get(0)));
            g.addCertificates(new JcaCertStore(certificates));
            CMSTypedData content = new CMSProcessableByteArray(Oids.ID_CT_ANIMA_JSON_VOUCHER, voucher.toJson());
            return g.generate(content, true).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
        } catch (CMSException | OperatorCreationException | CertificateException | IOException e) {
            throw new VoucherException("cannot sign the " + voucher.kind().root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and checks a signed voucher or voucher request: one signer whose signature verifies; with
     * {@code anchors}, a signer certificate that chains to one of them at {@code at}.
     *
     * @param extraCertificates certificates the CMS may not carry (a MASA certificate known from elsewhere)
     */
    public static Signed verify(byte[] body, List<X509Certificate> anchors, Instant at, List<X509Certificate> extraCertificates)
            throws VoucherException {
        byte[] der = tolerant(body);
        CMSSignedData cms;
        try {
            cms = new CMSSignedData(der);
        } catch (CMSException | RuntimeException e) {
            throw new VoucherException("not a CMS SignedData: " + e.getMessage(), e);
        }
        Parsed parsed;
        try {
            parsed = parse(cms, extraCertificates);
        } catch (RuntimeException e) {
            // BouncyCastle parses the SignedData's parts lazily and throws unchecked for a malformed one
            // (found by fuzzing: a SignerInfo whose sid is no IssuerAndSerialNumber)
            throw new VoucherException("the CMS SignedData is malformed: " + e.getMessage(), e);
        }
        verifySignature(parsed.signer(), parsed.signerCertificate());
        if (anchors != null) {
            List<X509Certificate> pool = new ArrayList<>(parsed.certificates());
            pool.addAll(extraCertificates);
            validate(parsed.signerCertificate(), pool, anchors, at);
        }
        byte[] json = (byte[]) cms.getSignedContent().getContent();
        Voucher voucher = Voucher.parse(json);
        return new Signed(voucher, parsed.signerCertificate(), parsed.certificates(), json, parsed.type().getId());
    }

    /** What {@link #verify} reads out of the SignedData before any check. */
    private record Parsed(ASN1ObjectIdentifier type, SignerInformation signer, List<X509Certificate> certificates,
            X509Certificate signerCertificate) {
    }

    private static Parsed parse(CMSSignedData cms, List<X509Certificate> extraCertificates) throws VoucherException {
        ASN1ObjectIdentifier type = cms.getSignedContentTypeOID() == null ? null
                : new ASN1ObjectIdentifier(cms.getSignedContentTypeOID());
        if (!Oids.ID_CT_ANIMA_JSON_VOUCHER.equals(type) && !CMSObjectIdentifiers.data.equals(type)) {
            throw new VoucherException("eContentType " + type + " is neither id-ct-animaJSONVoucher nor id-data");
        }
        if (cms.getSignedContent() == null) {
            throw new VoucherException("the CMS carries no content (detached signature)");
        }
        Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new VoucherException("the CMS has " + signers.size() + " signers; exactly one is expected");
        }
        SignerInformation signer = signers.iterator().next();
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        X509Certificate signerCert = null;
        try {
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                X509Certificate c = converter.getCertificate(h);
                certs.add(c);
                if (signer.getSID().match(h)) {
                    signerCert = c;
                }
            }
            for (X509Certificate c : extraCertificates) {
                if (signerCert == null && signer.getSID().match(new X509CertificateHolder(c.getEncoded()))) {
                    signerCert = c;
                }
            }
        } catch (CertificateException | IOException e) {
            throw new VoucherException("the CMS holds a malformed certificate: " + e.getMessage(), e);
        }
        if (signerCert == null) {
            throw new VoucherException("the signer's certificate is neither in the CMS nor known");
        }
        return new Parsed(type, signer, certs, signerCert);
    }

    /**
     * The signature over the signed attributes: over their DER encoding, as RFC 5652 section 5.4 says
     * and BouncyCastle computes; and, when the attributes arrived in another order than DER's (a SET OF
     * sorted otherwise, as some pledges write it), over the encoding as received, as OpenSSL verifies.
     * Either way the message digest, content type and algorithm checks are BouncyCastle's, and the
     * signature covers every attribute value received: a reordering after signing fails both.
     */
    private static void verifySignature(SignerInformation signer, X509Certificate signerCert) throws VoucherException {
        try {
            java.security.Provider p = Signatures.forAlgorithm(signer.toASN1Structure().getDigestEncryptionAlgorithm());
            if (signer.verify(verifier(signerCert, p))) {
                return;
            }
            AsReceived received = new AsReceived(signer);
            if (received.differsFromDer() && received.verify(verifier(signerCert, p))) {
                return;
            }
            throw new VoucherException(received.differsFromDer()
                    ? "the signature does not verify, over the DER encoding of the signed attributes (RFC 5652 5.4) "
                            + "nor over their encoding as received"
                    : "the signature does not verify");
        } catch (CMSException | OperatorCreationException | IOException e) {
            throw new VoucherException("the signature does not verify: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // BouncyCastle's operators throw unchecked for a signature value that is not one (found by
            // fuzzing: a signature that is not an ECDSA DER SEQUENCE): a peer's bad input, refused as such
            throw new VoucherException("the signature cannot be checked: " + e.getMessage(), e);
        }
    }

    private static org.bouncycastle.cms.SignerInformationVerifier verifier(X509Certificate signerCert,
            java.security.Provider provider) throws OperatorCreationException {
        return new JcaSimpleSignerInfoVerifierBuilder().setProvider(provider).build(signerCert);
    }

    /**
     * A signer whose signed attributes are digested in the order they arrived in (each attribute in
     * definite-length encoding, as DER writes it): the bytes received whenever only the order is not DER's.
     */
    private static final class AsReceived extends SignerInformation {
        AsReceived(SignerInformation received) {
            super(received);
        }

        boolean differsFromDer() throws IOException {
            return signedAttributeSet != null && !java.util.Arrays.equals(getEncodedSignedAttributes(),
                    signedAttributeSet.getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER));
        }

        @Override
        public byte[] getEncodedSignedAttributes() throws IOException {
            return signedAttributeSet == null ? null : signedAttributeSet.getEncoded(org.bouncycastle.asn1.ASN1Encoding.DL);
        }
    }

    /** PKIX from the signer through the certificates at hand to an anchor, at a time, revocation not checked. */
    public static void validate(X509Certificate signer, List<X509Certificate> pool, List<X509Certificate> anchors, Instant at)
            throws VoucherException {
        try {
            CertPaths.validate(signer, pool, anchors, at);
        } catch (CertPathValidatorException e) {
            throw new VoucherException("the signer " + Names.display(signer.getSubjectX500Principal())
                    + " does not chain to a trusted anchor: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new VoucherException("cannot validate the signer: " + e.getMessage(), e);
        }
    }

    /**
     * What peers send: DER as RFC 8366 says; base64 of it (nqminds/brski sends that) is taken too, which
     * weakens no check (the signature and every rule still apply). A COSE-signed (CBOR) voucher is
     * named as such.
     */
    static byte[] tolerant(byte[] body) throws VoucherException {
        // DER: a SEQUENCE whose length takes the long form (no CMS fits in 127 bytes); base64 text never
        // has a byte over 0x7f, even when it starts with '0' (as base64 of a COSE_Sign1 does)
        if (body.length > 1 && (body[0] & 0xff) == 0x30 && (body[1] & 0x80) != 0) {
            return body;
        }
        refuseCose(body);
        try {
            byte[] decoded = Base64.getMimeDecoder().decode(body);
            refuseCose(decoded);
            if (decoded.length > 0 && (decoded[0] & 0xff) == 0x30) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // not base64 either: the CMS parser says what it is not
        }
        return body;
    }

    /** A COSE_Sign1 (CBOR tag 18, or the bare four-element array) is named, not parsed as CMS. */
    private static void refuseCose(byte[] body) throws VoucherException {
        if (body.length > 0 && ((body[0] & 0xff) == 0xd2 || (body[0] & 0xff) == 0x84)) {
            throw new VoucherException("the body is a COSE-signed voucher (CBOR, the constrained voucher of "
                    + "draft-ietf-anima-constrained-voucher), which is not supported here; send the CMS form (" + MEDIA_TYPE + ")");
        }
    }

    /** DER, or base64 of it (with or without line breaks), as voucher files come. */
    public static byte[] decode(byte[] data) throws VoucherException {
        byte[] der = tolerant(data);
        if (der.length == 0 || der[0] != 0x30) {
            throw new VoucherException("neither DER nor base64");
        }
        return der;
    }
}
