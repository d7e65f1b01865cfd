package dev.avocado.protocol.profile;

import dev.avocado.protocol.x509.CertificateBuilder;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.KeyPair;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The manufacturer provisioning root (MPR): one or more manufacturer CA certificates; the first names
 * the base address of the provisioning service in its subjectAltName, as a URI, or as an IP address or
 * DNS name (the NIST Build 5 MPR carries an IP address) that gets {@code https://} and a default port.
 */
public final class MprProfile {

    /** Port of an address given as an IP address or DNS name without one: HTTPS. */
    public static final int DEFAULT_PORT = 443;

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    private MprProfile() {
    }

    /**
     * Issues a self-signed manufacturer root that serves as MPR.
     *
     * @param provisioningAddress an {@code https://} URI, or an IP address or DNS name
     */
    public static X509Certificate issue(KeyPair key, String subjectDn, String provisioningAddress, Instant notBefore,
            Instant notAfter) {
        return CertificateBuilder.subject(subjectDn, key.getPublic())
                .selfSigned(key.getPrivate())
                .validity(notBefore, notAfter)
                .ca(-1)
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                .subjectAltName(addressName(provisioningAddress))
                .build();
    }

    /**
     * The MPR as an anchor stores it (in a TPM NV index): the DER of its certificates one after the
     * other, which CertificateFactory reads back.
     */
    public static byte[] der(List<X509Certificate> certificates) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (X509Certificate c : certificates) {
            try {
                out.writeBytes(c.getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode " + Describe.cert(c), e);
            }
        }
        return out.toByteArray();
    }

    /** SHA-256, the anchored form of an MPR too large for its NV index. */
    public static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subjectAltName entry for a provisioning address. */
    public static GeneralName addressName(String address) {
        if (address.contains("://")) {
            return new GeneralName(GeneralName.uniformResourceIdentifier, address);
        }
        if (isIpLiteral(address)) {
            return new GeneralName(GeneralName.iPAddress, address);
        }
        return new GeneralName(GeneralName.dNSName, address);
    }

    /**
     * Checks an MPR and returns the provisioning base address it names.
     *
     * @throws ProfileException naming the certificate and the rule it breaks
     */
    public static URI check(List<X509Certificate> certificates, Instant now, int defaultPort) throws ProfileException {
        if (certificates.isEmpty()) {
            throw new ProfileException("holds no certificate");
        }
        for (X509Certificate c : certificates) {
            checkValidity(c, now);
            if (c.getBasicConstraints() < 0) {
                throw new ProfileException(Describe.cert(c) + " is not a CA certificate (basicConstraints cA is not set)");
            }
            boolean[] ku = c.getKeyUsage();
            if (ku != null && (ku.length <= 5 || !ku[5])) {
                throw new ProfileException(Describe.cert(c) + " may not sign certificates (keyUsage lacks keyCertSign)");
            }
        }
        if (ManufacturerTrust.hasUsage(certificates.get(0), dev.avocado.protocol.x509.Oids.ID_KP_VOUCHER_SIGNING)) {
            throw new ProfileException(Describe.cert(certificates.get(0)) + " comes first but is the MASA voucher-signing "
                    + "anchor: the manufacturer root (naming the provisioning address) comes first");
        }
        return provisioningUri(certificates.get(0), defaultPort);
    }

    /**
     * Issues the MASA's voucher-signing anchor: a CA of its own (not under the root, so nothing the
     * root's IDevID CA issues can chain to it) with the voucher-signing extended key usage; it goes
     * into the MPR after the root.
     */
    public static X509Certificate issueVoucherAnchor(KeyPair key, String subjectDn, Instant notBefore, Instant notAfter) {
        return CertificateBuilder.subject(subjectDn, key.getPublic())
                .selfSigned(key.getPrivate())
                .validity(notBefore, notAfter)
                .ca(0)
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.getInstance(
                        dev.avocado.protocol.x509.Oids.ID_KP_VOUCHER_SIGNING))
                .build();
    }

    /** The provisioning base address of an MPR certificate. */
    public static URI provisioningUri(X509Certificate cert, int defaultPort) throws ProfileException {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new ProfileException(Describe.cert(cert) + " has a malformed subjectAltName: " + e.getMessage(), e);
        }
        if (sans != null) {
            for (int wanted : new int[] {SAN_URI, SAN_IP, SAN_DNS}) {
                for (List<?> san : sans) {
                    if (((Integer) san.get(0)) == wanted) {
                        return toUri(cert, wanted, String.valueOf(san.get(1)), defaultPort);
                    }
                }
            }
        }
        throw new ProfileException(Describe.cert(cert)
                + " names no provisioning address (subjectAltName URI, IP address or DNS name)");
    }

    private static URI toUri(X509Certificate cert, int type, String value, int defaultPort) throws ProfileException {
        try {
            if (type == SAN_URI) {
                URI uri = new URI(value);
                if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    throw new ProfileException(Describe.cert(cert) + " names provisioning address '" + value
                            + "': not an https:// URI with a host");
                }
                return uri;
            }
            String host = type == SAN_IP && value.contains(":") ? "[" + value + "]" : value;
            return new URI("https://" + host + ":" + defaultPort);
        } catch (URISyntaxException e) {
            throw new ProfileException(Describe.cert(cert) + " names provisioning address '" + value
                    + "' that is not a URI: " + e.getMessage(), e);
        }
    }

    static void checkValidity(X509Certificate c, Instant now) throws ProfileException {
        try {
            c.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new ProfileException(Describe.cert(c) + " expired on " + c.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new ProfileException(Describe.cert(c) + " is not valid before " + c.getNotBefore().toInstant());
        }
    }

    private static boolean isIpLiteral(String s) {
        return ipLiteral(s) != null;
    }

    /** The address an IPv4 or IPv6 literal names, or null when {@code s} is not one (no name is looked up). */
    static InetAddress ipLiteral(String s) {
        if (s.matches("[0-9.]+") || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+"))) {
            try {
                return InetAddress.getByName(s);
            } catch (java.net.UnknownHostException e) {
                return null;
            }
        }
        return null;
    }
}
