package dev.avocado.protocol.profile;

import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.protocol.x509.Names;
import dev.avocado.protocol.x509.Oids;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The roles of a manufacturer's certificates, read from its MPR, and the checks that accept a
 * certificate for one role only. Every party uses these: the device (O.3, O.7, C.10), the registrar
 * (C.3, C.4, C.8) and the tools.
 *
 * <ul>
 * <li><b>Manufacturer roots</b>: the MPR's certificates without the voucher-signing role, the first
 * naming the provisioning address. Under them: the IDevID CA (IDevIDs) and the manufacturer's TLS
 * servers (factory, MASA), each issued by a root directly.</li>
 * <li><b>MASA voucher-signing anchors</b>: the MPR's CA certificates with the extended key usage
 * {@link Oids#ID_KP_VOUCHER_SIGNING}. A voucher is accepted only from a certificate that chains to
 * one of them and carries that usage itself; never from anything under a root (an IDevID).</li>
 * <li><b>Intermediate CAs</b> (a registrar's knowledge, never the device's): the manufacturer's CA
 * certificates under its roots, such as the IDevID CA its cacerts publishes. They are certificates to
 * build paths with, not anchors: a pledge that sends only its IDevID in TLS (most TLS stacks do) is
 * still validated up to the root.</li>
 * </ul>
 */
public final class ManufacturerTrust {

    private final List<X509Certificate> roots;
    private final List<X509Certificate> voucherAnchors;
    private final List<X509Certificate> intermediates;

    private ManufacturerTrust(List<X509Certificate> roots, List<X509Certificate> voucherAnchors,
            List<X509Certificate> intermediates) {
        this.roots = List.copyOf(roots);
        this.voucherAnchors = List.copyOf(voucherAnchors);
        this.intermediates = List.copyOf(intermediates);
    }

    /**
     * Sorts an MPR's certificates by role.
     *
     * @throws ProfileException when it holds no root, or a certificate is both
     */
    public static ManufacturerTrust of(List<X509Certificate> mpr) throws ProfileException {
        List<X509Certificate> roots = new ArrayList<>();
        List<X509Certificate> anchors = new ArrayList<>();
        for (X509Certificate c : mpr) {
            (hasUsage(c, Oids.ID_KP_VOUCHER_SIGNING) ? anchors : roots).add(c);
        }
        if (roots.isEmpty()) {
            throw new ProfileException("the MPR holds no manufacturer root (every certificate has the voucher-signing role)");
        }
        return new ManufacturerTrust(roots, anchors, List.of());
    }

    /**
     * A manufacturer as a registrar knows it: its MPR (the self-issued certificates and the MASA
     * voucher-signing anchors) and its intermediate CAs (every other CA certificate, such as its
     * cacerts answer holds), each of which must chain to one of the roots at {@code at}.
     *
     * @throws ProfileException naming the certificate and the rule it breaks
     */
    public static ManufacturerTrust published(List<X509Certificate> certificates, Instant at) throws ProfileException {
        List<X509Certificate> mpr = new ArrayList<>();
        List<X509Certificate> cas = new ArrayList<>();
        for (X509Certificate c : certificates) {
            boolean selfIssued = c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
            if (selfIssued || hasUsage(c, Oids.ID_KP_VOUCHER_SIGNING)) {
                mpr.add(c);
            } else if (c.getBasicConstraints() >= 0) {
                cas.add(c);
            } else {
                throw new ProfileException(Describe.cert(c) + " is an end-entity certificate: a manufacturer is known by "
                        + "its roots, MASA anchors and intermediate CAs only");
            }
        }
        return of(mpr).withIntermediates(cas, at);
    }

    /**
     * These roles and intermediate CAs to build IDevID paths with. Each must be a CA certificate that may
     * sign certificates, without the voucher-signing role, and chain to one of the roots at {@code at}.
     *
     * @throws ProfileException naming the certificate and the rule it breaks
     */
    public ManufacturerTrust withIntermediates(List<X509Certificate> cas, Instant at) throws ProfileException {
        for (X509Certificate c : cas) {
            String who = Describe.cert(c);
            boolean[] ku = c.getKeyUsage();
            if (c.getBasicConstraints() < 0 || (ku != null && !ku[5])) {
                throw new ProfileException("the intermediate " + who + " is not a CA certificate that signs certificates");
            }
            if (hasUsage(c, Oids.ID_KP_VOUCHER_SIGNING)) {
                throw new ProfileException("the intermediate " + who + " has the MASA voucher-signing role");
            }
            try {
                CertPaths.validate(c, cas, roots, at);
            } catch (CertPathValidatorException e) {
                throw new ProfileException("the intermediate " + who + " is not under the manufacturer root "
                        + Describe.cert(primary()) + ": " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new ProfileException("cannot validate the intermediate " + who + ": " + e.getMessage(), e);
            }
        }
        List<X509Certificate> all = new ArrayList<>(intermediates);
        cas.stream().filter(c -> !all.contains(c)).forEach(all::add);
        return new ManufacturerTrust(roots, voucherAnchors, all);
    }

    /** The manufacturer roots: anchors of IDevIDs and of the manufacturer's TLS servers, never of vouchers. */
    public List<X509Certificate> roots() {
        return roots;
    }

    /** The root that names the provisioning address. */
    public X509Certificate primary() {
        return roots.get(0);
    }

    /** The MASA voucher-signing anchors (may be empty: then no voucher can be accepted). */
    public List<X509Certificate> voucherAnchors() {
        return voucherAnchors;
    }

    /** The intermediate CAs known besides the MPR (empty on a device: its MPR is all it trusts). */
    public List<X509Certificate> intermediates() {
        return intermediates;
    }

    /** What the MPR shows, for error messages and the shell. */
    public String describe() {
        return Describe.cert(primary()) + (voucherAnchors.isEmpty() ? " (no MASA voucher-signing anchor)"
                : " with MASA anchor " + Describe.cert(voucherAnchors.get(0)));
    }

    /**
     * The MASA signer role (C.8, C.10): an end-entity certificate with the voucher-signing usage that
     * chains through {@code pool} to one of this manufacturer's voucher-signing anchors.
     *
     * @throws ProfileException naming the rule the signer breaks
     */
    public void checkVoucherSigner(X509Certificate signer, List<X509Certificate> pool, CheckTime time) throws ProfileException {
        checkVoucherSigner(signer, pool, time.at(signer, pool, voucherAnchors));
    }

    /** {@link #checkVoucherSigner(X509Certificate, List, CheckTime)} at a fixed instant. */
    public void checkVoucherSigner(X509Certificate signer, List<X509Certificate> pool, Instant at) throws ProfileException {
        String who = Describe.cert(signer);
        if (voucherAnchors.isEmpty()) {
            throw new ProfileException("the MPR " + Describe.cert(primary())
                    + " names no MASA voucher-signing anchor: no voucher can be trusted");
        }
        if (signer.getBasicConstraints() >= 0) {
            throw new ProfileException("the voucher signer " + who + " is a CA certificate, not a MASA signer");
        }
        if (!hasUsage(signer, Oids.ID_KP_VOUCHER_SIGNING)) {
            throw new ProfileException("the voucher signer " + who + " lacks the MASA voucher-signing role (extended key usage "
                    + Oids.ID_KP_VOUCHER_SIGNING + "); an IDevID or TLS certificate never signs vouchers");
        }
        try {
            CertPaths.validate(signer, pool, voucherAnchors, at);
        } catch (CertPathValidatorException e) {
            throw new ProfileException("the voucher signer " + who + " does not chain to the MASA voucher-signing anchor "
                    + Describe.cert(voucherAnchors.get(0)) + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ProfileException("cannot validate the voucher signer " + who + ": " + e.getMessage(), e);
        }
    }

    /**
     * The manufacturer TLS server role (factory at O.3, MASA at C.4): issued by a manufacturer root
     * itself (not by the IDevID CA), extended key usage serverAuth, not a CA, no subject serialNumber
     * (that names a device), and a subjectAltName DNS name or IP address equal to {@code host}.
     *
     * @param chain what the server sent, its certificate first
     * @throws ProfileException naming the rule the server breaks
     */
    public void checkServer(List<X509Certificate> chain, String host, Instant at) throws ProfileException {
        X509Certificate leaf = chain.get(0);
        String who = Describe.cert(leaf);
        // its dates first, so that an expired certificate is called expired, not badly issued
        MprProfile.checkValidity(leaf, at);
        try {
            CertPaths.validate(leaf, List.of(), roots, at);
        } catch (CertPathValidatorException e) {
            throw new ProfileException("the server certificate " + who + " is not issued by a manufacturer root of the MPR "
                    + "itself (as the factory's and the MASA's are): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ProfileException("cannot validate the server certificate " + who + ": " + e.getMessage(), e);
        }
        if (leaf.getBasicConstraints() >= 0) {
            throw new ProfileException("the server certificate " + who + " is a CA certificate");
        }
        if (!hasUsage(leaf, Oids.ID_KP_SERVER_AUTH)) {
            throw new ProfileException("the server certificate " + who + " lacks extended key usage serverAuth");
        }
        if (Names.serialNumber(leaf).isPresent()) {
            throw new ProfileException("the server certificate " + who + " names a device (subject serialNumber): "
                    + "an IDevID is never a server");
        }
        if (!namesHost(leaf, host)) {
            throw new ProfileException("the server certificate " + who + " does not name " + host
                    + " in its subjectAltName (the common name is not read)");
        }
    }

    /** True when the certificate's extended key usage holds {@code usage}. */
    public static boolean hasUsage(X509Certificate c, org.bouncycastle.asn1.ASN1ObjectIdentifier usage) {
        try {
            List<String> eku = c.getExtendedKeyUsage();
            return eku != null && eku.contains(usage.getId());
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** RFC 6125 without wildcards: a dNSName equal to the host (any case), or an iPAddress equal to it. */
    static boolean namesHost(X509Certificate c, String host) throws ProfileException {
        Collection<List<?>> sans;
        try {
            sans = c.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new ProfileException(Describe.cert(c) + " has a malformed subjectAltName: " + e.getMessage(), e);
        }
        if (sans == null) {
            return false;
        }
        String h = host.replace("[", "").replace("]", "");
        InetAddress ip = MprProfile.ipLiteral(h);
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (type == 2 && ip == null && value.toLowerCase(Locale.ROOT).equals(h.toLowerCase(Locale.ROOT))) {
                return true;
            }
            if (type == 7 && ip != null && ip.equals(MprProfile.ipLiteral(value))) {
                return true;
            }
        }
        return false;
    }
}
