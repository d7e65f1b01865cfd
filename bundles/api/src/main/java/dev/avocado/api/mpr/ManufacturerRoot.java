package dev.avocado.api.mpr;

import java.net.URI;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A validated manufacturer provisioning root: one or more self-signed manufacturer CA certificates
 * (more than one during a key rollover) and the base address of the provisioning service.
 *
 * @param certificates the manufacturer root certificates, the one naming the provisioning address first
 * @param provisioningUri base address of the manufacturer's provisioning service (EST)
 * @param source where the MPR was read from, for example {@code file:/p1/mpr/mpr.pem}
 * @param sha256 SHA-256 of the MPR's certificates in DER (hex), the digest a TPM NV anchor holds
 * @param anchor the unchangeable copy this MPR matched (see {@link MprAnchor}), or null when it has none
 */
public record ManufacturerRoot(List<X509Certificate> certificates, URI provisioningUri, String source, String sha256,
        String anchor) {

    public ManufacturerRoot {
        certificates = List.copyOf(certificates);
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("an MPR holds at least one certificate");
        }
        Objects.requireNonNull(provisioningUri, "provisioningUri");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sha256, "sha256");
    }

    /** The certificate that names the provisioning address. */
    public X509Certificate primary() {
        return certificates.get(0);
    }

    public String subject() {
        return primary().getSubjectX500Principal().getName();
    }

    public List<PublicKey> publicKeys() {
        return certificates.stream().map(X509Certificate::getPublicKey).toList();
    }
}
