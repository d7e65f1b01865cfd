package dev.avocado.protocol.brski;

import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The registrar's voucher request (RFC 8995 section 5.5): made by the registrar at C.4 around the
 * pledge's request, checked by the MASA at C.5.
 */
public final class RegistrarRequests {

    /** What C.5 found: the registrar request, its signer and the domain to pin, the pledge's request and IDevID. */
    public record Checked(Voucher request, X509Certificate registrar, X509Certificate domain, VoucherCms.Signed prior,
            X509Certificate idevid, String serial, byte[] idevidIssuer) {
    }

    private RegistrarRequests() {
    }

    /**
     * C.4: serial-number and idevid-issuer from the IDevID, the nonce copied, the pledge's signed
     * request inside, no proximity-registrar-cert.
     */
    public static Voucher create(OffsetDateTime now, Voucher pledgeRequest, byte[] pledgeRequestCms, X509Certificate idevid) {
        return Voucher.request(now, pledgeRequest.assertion(), pledgeRequest.serialNumber(), idevidIssuer(idevid),
                pledgeRequest.nonce(), null, pledgeRequestCms);
    }

    /**
     * C.5: the registrar's request is signed by a certificate with id-kp-cmcRA; the request inside is
     * signed by an IDevID under one of the manufacturer's anchors; serial numbers and nonces match.
     *
     * @param request the registrar request, signature verified
     * @param manufacturer the anchors IDevIDs of this manufacturer chain to
     * @param issuingCas the manufacturer's IDevID CAs, for pledges that sign with their certificate alone
     * @throws VoucherException naming the rule broken
     */
    public static Checked check(VoucherCms.Signed request, List<X509Certificate> manufacturer, List<X509Certificate> issuingCas,
            Instant at) throws VoucherException {
        Voucher rvr = request.voucher();
        if (rvr.kind() != Voucher.Kind.REQUEST) {
            throw new VoucherException("C.5: the body is a voucher, not a voucher request");
        }
        X509Certificate registrar = request.signer();
        if (!hasCmcRa(registrar)) {
            throw new VoucherException("C.5: the registrar signing certificate "
                    + Names.display(registrar.getSubjectX500Principal()) + " lacks extended key usage id-kp-cmcRA ("
                    + Oids.ID_KP_CMC_RA + ")");
        }
        X509Certificate domain = DomainCerts.top(registrar, request.certificates(), at);
        if (rvr.priorSignedVoucherRequest() == null) {
            throw new VoucherException("C.5: prior-signed-voucher-request is missing");
        }
        VoucherCms.Signed prior;
        try {
            prior = VoucherCms.verify(rvr.priorSignedVoucherRequest(), manufacturer, at, issuingCas);
        } catch (VoucherException e) {
            throw new VoucherException("C.5: the pledge's voucher request is not signed by an IDevID of this "
                    + "manufacturer: " + e.getMessage(), e);
        }
        if (prior.voucher().kind() != Voucher.Kind.REQUEST) {
            throw new VoucherException("C.5: prior-signed-voucher-request holds a voucher, not a voucher request");
        }
        X509Certificate idevid = prior.signer();
        String serial = Names.serialNumber(idevid).orElseThrow(() -> new VoucherException(
                "C.5: the pledge's signing certificate has no subject serialNumber: it is not an IDevID"));
        if (!serial.equals(prior.voucher().serialNumber())) {
            throw new VoucherException("C.5: the pledge's request is for serial-number " + prior.voucher().serialNumber()
                    + " but its IDevID is serial " + serial);
        }
        if (!serial.equals(rvr.serialNumber())) {
            throw new VoucherException("C.5: the registrar's request is for serial-number " + rvr.serialNumber()
                    + " but the pledge's IDevID is serial " + serial);
        }
        if (!Objects.equals(rvr.nonce(), prior.voucher().nonce())) {
            throw new VoucherException("C.5: the registrar's nonce " + rvr.nonce()
                    + " is not the pledge's nonce " + prior.voucher().nonce());
        }
        byte[] issuer = idevidIssuer(idevid);
        if (rvr.idevidIssuer() != null && !Arrays.equals(rvr.idevidIssuer(), issuer)) {
            throw new VoucherException("C.5: idevid-issuer is not the authority key identifier of the pledge's IDevID");
        }
        byte[] proximity = prior.voucher().proximityRegistrarCert();
        if (proximity != null) {
            DomainCerts.checkInDomain(proximity, domain, at);
        }
        return new Checked(rvr, registrar, domain, prior, idevid, serial, issuer);
    }

    /** True when the certificate's extended key usage includes id-kp-cmcRA. */
    public static boolean hasCmcRa(X509Certificate cert) {
        return dev.avocado.protocol.profile.ManufacturerTrust.hasUsage(cert, Oids.ID_KP_CMC_RA);
    }

    /**
     * idevid-issuer (RFC 8366): the keyIdentifier of the IDevID's authority key identifier, or null when
     * it has none.
     */
    public static byte[] idevidIssuer(X509Certificate idevid) {
        byte[] ext = idevid.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
    }
}
