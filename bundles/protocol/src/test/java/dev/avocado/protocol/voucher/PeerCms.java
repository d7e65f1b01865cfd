package dev.avocado.protocol.voucher;

import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.Oids;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * A CMS SignedData as another pledge writes it (issue 9): the signed attributes in the order signingTime,
 * messageDigest, contentType, which is not DER's (a SET OF is sorted by encoding), and the signature
 * made over the encoding as sent, which is what OpenSSL verifies. For tests of our tolerance, and of
 * what must still fail.
 */
public final class PeerCms {

    private PeerCms() {
    }

    /** Signed attributes in the peer's order, the signature over exactly those bytes. */
    public static byte[] signedAsSent(byte[] json, PrivateKey key, List<X509Certificate> certificates) throws Exception {
        return build(json, key, certificates, false);
    }

    /**
     * The attack: signed as {@link #signedAsSent}, then the attributes put in another order
     * (contentType first) on the way. The values are the same; the signed bytes are not.
     */
    public static byte[] reorderedAfterSigning(byte[] json, PrivateKey key, List<X509Certificate> certificates)
            throws Exception {
        return build(json, key, certificates, true);
    }

    private static byte[] build(byte[] json, PrivateKey key, List<X509Certificate> certificates, boolean reorder)
            throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
        Attribute signingTime = new Attribute(CMSAttributes.signingTime, new DERSet(new Time(new Date())));
        Attribute messageDigest = new Attribute(CMSAttributes.messageDigest, new DERSet(new DEROctetString(digest)));
        Attribute contentType = new Attribute(CMSAttributes.contentType, new DERSet(Oids.ID_CT_ANIMA_JSON_VOUCHER));
        DLSet asSigned = set(signingTime, messageDigest, contentType);
        byte[] toSign = asSigned.getEncoded(ASN1Encoding.DL);
        if (java.util.Arrays.equals(toSign, asSigned.getEncoded(ASN1Encoding.DER))) {
            throw new IllegalStateException("the peer's order happens to be DER's: the test would prove nothing");
        }
        Signature s = Signature.getInstance("SHA256withECDSA", Bc.PROVIDER);
        s.initSign(key);
        s.update(toSign);
        byte[] signature = s.sign();
        DLSet sent = reorder ? set(contentType, messageDigest, signingTime) : asSigned;

        X509Certificate signer = certificates.get(0);
        // as a raw sequence: BouncyCastle's SignerInfo would write the attributes DER-sorted
        ASN1EncodableVector info = new ASN1EncodableVector();
        info.add(new ASN1Integer(1));
        info.add(new IssuerAndSerialNumber(X500Name.getInstance(signer.getIssuerX500Principal().getEncoded()),
                signer.getSerialNumber()));
        info.add(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
        info.add(new DLTaggedObject(false, 0, sent));
        info.add(new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256));
        info.add(new DEROctetString(signature));
        ASN1EncodableVector certs = new ASN1EncodableVector();
        for (X509Certificate c : certificates) {
            certs.add(Certificate.getInstance(c.getEncoded()));
        }
        SignedData sd = new SignedData(new DERSet(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)),
                new ContentInfo(Oids.ID_CT_ANIMA_JSON_VOUCHER, new DEROctetString(json)), new DLSet(certs), null,
                new DLSet(new DLSequence(info)));
        return new ContentInfo(CMSObjectIdentifiers.signedData, sd).getEncoded(ASN1Encoding.DL);
    }

    private static DLSet set(ASN1Encodable... attributes) {
        return new DLSet(attributes);
    }
}
