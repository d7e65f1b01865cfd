package dev.avocado.protocol.brski;

import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The registrar's domain as a voucher pins it: which certificate, whether a certificate belongs to it. */
public final class DomainCerts {

    private DomainCerts() {
    }

    /**
     * The certificate to pin for a registrar: the top of its chain among {@code certificates} (the domain
     * CA), or the registrar certificate itself when the chain is not there.
     */
    public static X509Certificate top(X509Certificate registrar, List<X509Certificate> certificates, Instant at)
            throws VoucherException {
        X509Certificate current = registrar;
        for (int depth = 0; depth < 8; depth++) {
            if (current.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                break;
            }
            X509Certificate c = current;
            X509Certificate issuer = certificates.stream().filter(p -> !p.equals(c)
                    && p.getSubjectX500Principal().equals(c.getIssuerX500Principal())).findFirst().orElse(null);
            if (issuer == null) {
                break;
            }
            current = issuer;
        }
        if (current != registrar) {
            VoucherCms.validate(registrar, certificates, List.of(current), at);
        }
        return current;
    }

    /**
     * D.0 (and the MASA's proximity check): a certificate belongs to the pinned domain when it is the
     * pinned certificate or chains to it.
     */
    public static void checkInDomain(byte[] certificate, X509Certificate pinned, Instant at) throws VoucherException {
        X509Certificate cert;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate));
        } catch (CertificateException | RuntimeException e) {
            throw new VoucherException("proximity-registrar-cert is not an X.509 certificate: " + e.getMessage(), e);
        }
        checkInDomain(List.of(cert), pinned, at);
    }

    /** The first certificate of {@code chain} is the pinned certificate or chains to it through {@code chain}. */
    public static void checkInDomain(List<X509Certificate> chain, X509Certificate pinned, Instant at) throws VoucherException {
        X509Certificate cert = chain.get(0);
        if (cert.equals(pinned)) {
            return;
        }
        try {
            VoucherCms.validate(cert, chain, List.of(pinned), at);
        } catch (VoucherException e) {
            throw new VoucherException(Names.display(cert.getSubjectX500Principal())
                    + " is not in the pinned domain " + Names.display(pinned.getSubjectX500Principal()) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Who a domain is, for ownership decisions at the MASA: SHA-256 of the domain certificate's whole
     * SubjectPublicKeyInfo, hex. Never the subject key identifier: that is an arbitrary extension any CA
     * may copy from the owner's public certificates.
     */
    public static String ownerKey(X509Certificate domain) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(domain.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The domain's identifier in audit logs (display only: ownership is decided by {@link #ownerKey}),
     * RFC 8995 section 5.8.2: the pinned certificate's subject
     * key identifier, or the SHA-1 of its public key bits when it has none.
     */
    public static byte[] domainId(X509Certificate pinned) {
        byte[] ext = pinned.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext != null) {
            return ASN1OctetString.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getOctets();
        }
        try {
            byte[] bits = SubjectPublicKeyInfo.getInstance(pinned.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
            return MessageDigest.getInstance("SHA-1").digest(bits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
