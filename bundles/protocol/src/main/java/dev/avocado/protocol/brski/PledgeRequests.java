package dev.avocado.protocol.brski;

import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * The pledge's voucher request (RFC 8995 section 5.2): made by the pledge at C.1, checked by the
 * registrar at C.3.
 */
public final class PledgeRequests {

    private PledgeRequests() {
    }

    /**
     * C.1: assertion proximity, the serial of the IDevID, a fresh nonce and the registrar's TLS
     * certificate seen at C.0.
     */
    public static Voucher create(OffsetDateTime now, String serial, String nonce, X509Certificate registrarTls) {
        try {
            return Voucher.request(now, "proximity", serial, null, nonce, registrarTls.getEncoded(), null);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the registrar certificate cannot be encoded", e);
        }
    }

    /**
     * C.3: a voucher request (not a voucher), signed by the IDevID that authenticated the TLS
     * connection, for that IDevID's serial, asserting proximity to this registrar.
     *
     * @param request the verified CMS (signature checked, chain not: the caller validates the IDevID)
     * @param tlsClient the pledge's TLS client certificate
     * @param registrarTls this registrar's TLS certificate
     * @return the serial number
     * @throws VoucherException naming the rule the request breaks
     */
    public static String check(VoucherCms.Signed request, X509Certificate tlsClient, X509Certificate registrarTls)
            throws VoucherException {
        Voucher v = request.voucher();
        if (v.kind() != Voucher.Kind.REQUEST) {
            throw new VoucherException("C.3: the body is a voucher, not a voucher request (root "
                    + Voucher.Kind.REQUEST.root() + " expected)");
        }
        if (!request.signer().equals(tlsClient)) {
            throw new VoucherException("C.3: the voucher request is signed by "
                    + Names.display(request.signer().getSubjectX500Principal())
                    + ", not by the IDevID of the TLS connection " + Names.display(tlsClient.getSubjectX500Principal()));
        }
        String serial = Names.serialNumber(tlsClient).orElseThrow(() -> new VoucherException(
                "C.3: the TLS client certificate has no subject serialNumber: it is not an IDevID"));
        if (!serial.equals(v.serialNumber())) {
            throw new VoucherException("C.3: the voucher request is for serial-number " + v.serialNumber()
                    + " but the TLS client IDevID is serial " + serial);
        }
        if (!"proximity".equals(v.assertion())) {
            throw new VoucherException("C.3: a pledge asks for assertion proximity, not " + v.assertion());
        }
        if (v.proximityRegistrarCert() == null) {
            throw new VoucherException("C.3: proximity-registrar-cert is missing");
        }
        try {
            if (!Arrays.equals(v.proximityRegistrarCert(), registrarTls.getEncoded())) {
                throw new VoucherException("C.3: proximity-registrar-cert is not this registrar's TLS certificate");
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return serial;
    }
}
