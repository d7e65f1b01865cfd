package dev.avocado.protocol.profile;

import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The IDevID profile of IEEE 802.1AR and RFC 8995: subject serialNumber, id-pe-masa-url, notAfter
 * 99991231235959Z, keyUsage digitalSignature, not a CA, issued under the manufacturer root (the MPR).
 * Both the manufacturer's CA (O.6) and the device (O.7, and at every boot) use this one definition.
 */
public final class IdevidProfile {

    /** A serial number this project accepts: printable, 1 to 64 characters, no spaces. */
    public static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    /** What a well-formed IDevID says. */
    public record Idevid(X509Certificate certificate, String serialNumber, String masaUrl) {

        /**
         * The MASA base URI: id-pe-masa-url is often only an authority ({@code host:port}); then the base
         * is {@code https://} + authority + {@code /.well-known/brski} (RFC 8995 section 2.3.2).
         */
        public URI masaBase() {
            try {
                if (masaUrl.contains("://")) {
                    return new URI(masaUrl);
                }
                return new URI("https://" + masaUrl + "/.well-known/brski");
            } catch (URISyntaxException e) {
                throw new IllegalStateException("checked MASA URL no longer parses: " + masaUrl, e);
            }
        }
    }

    private IdevidProfile() {
    }

    /** The subject of an IDevID: the given name with the serialNumber attribute added. */
    public static X500Name subject(String organization, String commonName, String serialNumber) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        if (organization != null) {
            b.addRDN(BCStyle.O, organization);
        }
        if (commonName != null) {
            b.addRDN(BCStyle.CN, commonName);
        }
        b.addRDN(BCStyle.SERIALNUMBER, serialNumber);
        return b.build();
    }

    /** Issues an IDevID for a device key (O.6). */
    public static X509Certificate issue(X509Certificate issuingCa, PrivateKey caKey, Provider caProvider,
            X500Name subject, PublicKey deviceKey, String masaUrl, Instant notBefore) {
        CertificateBuilder b = CertificateBuilder.subject(subject, deviceKey)
                .issuer(issuingCa, caKey)
                .validity(notBefore, CertificateBuilder.NO_WELL_DEFINED_EXPIRY)
                .endEntity()
                .keyUsage(KeyUsage.digitalSignature)
                .extension(Oids.ID_PE_MASA_URL, false, new DERIA5String(masaUrl));
        if (caProvider != null) {
            b.signingProvider(caProvider);
        }
        return b.build();
    }

    /** Checks a serial number against {@link #SERIAL}. */
    public static String checkSerial(String serial) throws ProfileException {
        if (serial == null || serial.isEmpty()) {
            throw new ProfileException("serial number is empty");
        }
        if (!SERIAL.matcher(serial).matches()) {
            throw new ProfileException("serial number '" + serial
                    + "' is not 1 to 64 characters of letters, digits and . _ : -");
        }
        return serial;
    }

    /**
     * Checks that a chain is a well-formed IDevID issued under one of the trust anchors (the MPR).
     *
     * @param chain the IDevID first, then issuing CA certificates
     * @throws ProfileException naming the rule the IDevID breaks
     */
    public static Idevid check(List<X509Certificate> chain, List<X509Certificate> trustAnchors, Instant now)
            throws ProfileException {
        return check(chain, trustAnchors, List.of(), now);
    }

    /**
     * Checks an IDevID chain against a manufacturer's roots (never its voucher-signing anchors), the path
     * built with the chain received and the manufacturer's intermediate CAs: a pledge may send its
     * IDevID alone.
     *
     * @throws ProfileException naming the rule the IDevID breaks
     */
    public static Idevid check(List<X509Certificate> chain, ManufacturerTrust manufacturer, Instant now)
            throws ProfileException {
        return check(chain, manufacturer.roots(), manufacturer.intermediates(), now);
    }

    private static Idevid check(List<X509Certificate> chain, List<X509Certificate> trustAnchors,
            List<X509Certificate> intermediates, Instant now) throws ProfileException {
        if (chain.isEmpty()) {
            throw new ProfileException("IDevID chain is empty");
        }
        X509Certificate cert = chain.get(0);
        String serial = Names.serialNumber(cert).orElseThrow(() -> new ProfileException(
                "IDevID " + Describe.cert(cert) + " has no subject serialNumber (2.5.4.5)"));
        try {
            checkSerial(serial);
        } catch (ProfileException e) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + ": " + e.getMessage());
        }
        String masaUrl = masaUrl(cert).orElseThrow(() -> new ProfileException(
                "IDevID " + Describe.cert(cert) + " has no id-pe-masa-url extension (1.3.6.1.5.5.7.1.32)"));
        if (masaUrl.isBlank()) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " has an empty id-pe-masa-url");
        }
        if (cert.getBasicConstraints() >= 0) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " is a CA certificate");
        }
        boolean[] ku = cert.getKeyUsage();
        if (ku == null || !ku[0]) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " lacks keyUsage digitalSignature");
        }
        checkRole(cert);
        MprProfile.checkValidity(cert, now);
        List<X509Certificate> pool = new java.util.ArrayList<>(chain);
        pool.addAll(intermediates);
        validatePath(chain.get(0), pool, trustAnchors, now);
        Idevid idevid = new Idevid(cert, serial, masaUrl);
        try {
            idevid.masaBase();
        } catch (IllegalStateException e) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " has a MASA URL that is not a URI: " + masaUrl);
        }
        return idevid;
    }

    /**
     * The IDevID role and nothing else: a client identity, never a TLS server (no serverAuth, no DNS
     * name or IP address) and never a voucher signer.
     */
    static void checkRole(X509Certificate cert) throws ProfileException {
        if (ManufacturerTrust.hasUsage(cert, Oids.ID_KP_SERVER_AUTH)) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " has extended key usage serverAuth: an IDevID "
                    + "is never a TLS server");
        }
        if (ManufacturerTrust.hasUsage(cert, Oids.ID_KP_VOUCHER_SIGNING)) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " has the MASA voucher-signing role");
        }
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) {
                        throw new ProfileException("IDevID " + Describe.cert(cert) + " names a host (" + san.get(1)
                                + ") in its subjectAltName: an IDevID is never a TLS server");
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new ProfileException("IDevID " + Describe.cert(cert) + " has a malformed subjectAltName: " + e.getMessage());
        }
    }

    /**
     * The fixed subject of every IDevID a manufacturer issues (O.6): its organization, a common name
     * of its own, and the device serial number. Nothing of the CSR's subject but the (checked) serial.
     */
    public static X500Name fixedSubject(String manufacturer, String serialNumber) {
        return subject(manufacturer, manufacturer + " device", serialNumber);
    }

    /** The id-pe-masa-url of a certificate, if it has one. */
    public static Optional<String> masaUrl(X509Certificate cert) throws ProfileException {
        byte[] ext = cert.getExtensionValue(Oids.ID_PE_MASA_URL.getId());
        if (ext == null) {
            return Optional.empty();
        }
        try {
            ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets());
            return Optional.of(DERIA5String.getInstance(value).getString());
        } catch (IOException | IllegalArgumentException e) {
            throw new ProfileException(Describe.cert(cert) + " has an id-pe-masa-url that is not an IA5String");
        }
    }

    /** PKIX path validation from the device certificate to one of the anchors, revocation not checked. */
    static void validatePath(X509Certificate cert, List<X509Certificate> pool, List<X509Certificate> trustAnchors, Instant now)
            throws ProfileException {
        try {
            CertPaths.validate(cert, pool, trustAnchors, now);
        } catch (CertPathValidatorException e) {
            throw new ProfileException(Describe.cert(cert) + " does not chain to the manufacturer root"
                    + (pool.size() > 1 ? "" : " (the client sent no intermediate CA, and none is known for this manufacturer)")
                    + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ProfileException("cannot validate " + Describe.cert(cert) + ": " + e.getMessage(), e);
        }
    }
}
