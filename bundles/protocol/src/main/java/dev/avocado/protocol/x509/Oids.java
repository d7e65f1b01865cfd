package dev.avocado.protocol.x509;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/** Object identifiers this project reads and writes. */
public final class Oids {

    /** id-pe-masa-url (RFC 8995 section 2.3.2): IA5String with the MASA URI or authority. */
    public static final ASN1ObjectIdentifier ID_PE_MASA_URL = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.32");
    /** id-kp-cmcRA (RFC 6402): marks a registrar's voucher request signing certificate. */
    public static final ASN1ObjectIdentifier ID_KP_CMC_RA = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.28");
    /** id-ct-animaJSONVoucher (RFC 8366): eContentType of vouchers and voucher requests. */
    public static final ASN1ObjectIdentifier ID_CT_ANIMA_JSON_VOUCHER = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.1.40");
    /** serialNumber attribute (X.520, 2.5.4.5): the device serial number of 802.1AR. */
    public static final ASN1ObjectIdentifier SERIAL_NUMBER = new ASN1ObjectIdentifier("2.5.4.5");

    /**
     * The MASA voucher-signing role (Avocado's, under the UUID arc 2.25 of ITU-T X.667, which needs no
     * registration): an extended key usage on the MASA's voucher-signing anchor in the MPR and on every
     * certificate that signs vouchers under it. No IDevID, TLS or other certificate carries it.
     */
    public static final ASN1ObjectIdentifier ID_KP_VOUCHER_SIGNING =
            new ASN1ObjectIdentifier("2.25.316955595554317788219712835120522112690");
    /** id-kp-serverAuth (RFC 5280). */
    public static final ASN1ObjectIdentifier ID_KP_SERVER_AUTH = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.1");

    private Oids() {
    }
}
