package dev.avocado.protocol.brski;

import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import dev.avocado.protocol.x509.CheckTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/** The voucher (RFC 8366): issued by the MASA at C.6, checked by the registrar (C.8) and the pledge (C.10). */
public final class Vouchers {

    private Vouchers() {
    }

    /** C.6: a voucher for what C.5 accepted, pinning the registrar's domain. */
    public static Voucher create(RegistrarRequests.Checked request, String assertion, Instant now, Instant expires) {
        try {
            return Voucher.voucher(now.atOffset(ZoneOffset.UTC), expires == null ? null : expires.atOffset(ZoneOffset.UTC),
                    assertion, request.serial(), request.idevidIssuer(), request.domain().getEncoded(), request.request().nonce());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("the domain certificate cannot be encoded", e);
        }
    }

    /**
     * C.8 and C.10, the signature and the signer's role: a CMS voucher whose one signature verifies, by
     * a certificate in the MASA signer role of this manufacturer ({@link ManufacturerTrust#checkVoucherSigner}):
     * never an IDevID or another certificate under the manufacturer root.
     *
     * @throws VoucherException naming the rule broken
     */
    public static VoucherCms.Signed verify(byte[] cms, ManufacturerTrust manufacturer, Instant at) throws VoucherException {
        return verify(cms, manufacturer, CheckTime.fixed(at));
    }

    /** {@link #verify(byte[], ManufacturerTrust, Instant)}, the signer checked at {@code time} (a device's clock). */
    public static VoucherCms.Signed verify(byte[] cms, ManufacturerTrust manufacturer, CheckTime time) throws VoucherException {
        VoucherCms.Signed signed = VoucherCms.verify(cms, null, time.now(), List.of());
        try {
            manufacturer.checkVoucherSigner(signed.signer(), signed.certificates(), time);
        } catch (ProfileException e) {
            throw new VoucherException(e.getMessage(), e);
        }
        return signed;
    }

    /**
     * C.8 and C.10, after the signature was verified against the manufacturer: a voucher (not a
     * request) for this serial and nonce, not expired, whose pinned-domain-cert is a certificate.
     *
     * @param nonce the nonce the pledge sent
     * @return the pinned domain certificate
     * @throws VoucherException naming the rule broken
     */
    public static X509Certificate check(VoucherCms.Signed voucher, String serial, String nonce, Instant now)
            throws VoucherException {
        Voucher v = voucher.voucher();
        if (v.kind() != Voucher.Kind.VOUCHER) {
            throw new VoucherException("the answer is a voucher request, not a voucher");
        }
        if (!serial.equals(v.serialNumber())) {
            throw new VoucherException("the voucher is for serial-number " + v.serialNumber() + ", not " + serial);
        }
        if (!Objects.equals(nonce, v.nonce())) {
            throw new VoucherException("the voucher's nonce " + v.nonce() + " is not the nonce " + nonce + " of the request");
        }
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        if (v.expiresOn() != null && !v.expiresOn().isAfter(at)) {
            throw new VoucherException("the voucher expired at " + v.expiresOn());
        }
        return pinned(v);
    }

    /** The pinned-domain-cert as a certificate. */
    public static X509Certificate pinned(Voucher v) throws VoucherException {
        if (v.pinnedDomainCert() == null) {
            throw new VoucherException("pinned-domain-cert is missing");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(v.pinnedDomainCert()));
        } catch (CertificateException | RuntimeException e) {
            throw new VoucherException("pinned-domain-cert is not an X.509 certificate: " + e.getMessage(), e);
        }
    }
}
