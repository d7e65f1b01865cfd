package dev.avocado.protocol.x509;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** PKIX path validation, one way for every party: revocation not checked (no CRLs are published here). */
public final class CertPaths {

    private CertPaths() {
    }

    /**
     * Validates {@code cert} at {@code at} through issuers found in {@code pool} up to one of {@code anchors}.
     *
     * @throws GeneralSecurityException (a CertPathValidatorException when the path does not validate)
     */
    public static void validate(X509Certificate cert, List<X509Certificate> pool, List<X509Certificate> anchors, Instant at)
            throws GeneralSecurityException {
        List<X509Certificate> path = chain(cert, pool, anchors);
        Set<TrustAnchor> ta = new HashSet<>();
        for (X509Certificate a : anchors) {
            ta.add(new TrustAnchor(a, null));
        }
        PKIXParameters params = new PKIXParameters(ta);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }

    /**
     * The certificate and, after it, its issuers as found by name in {@code pool}, up to but not
     * including one of {@code anchors}: the path to validate, and the chain a TLS client sends. Nothing
     * is validated here; the pool may hold anything (a peer's answer).
     */
    public static List<X509Certificate> chain(X509Certificate cert, List<X509Certificate> pool, List<X509Certificate> anchors) {
        List<X509Certificate> path = new ArrayList<>();
        path.add(cert);
        X509Certificate current = cert;
        for (int depth = 0; depth < 8; depth++) {
            X509Certificate c = current;
            if (anchors.stream().anyMatch(a -> a.getSubjectX500Principal().equals(c.getIssuerX500Principal()))) {
                break;
            }
            X509Certificate issuer = pool.stream().filter(p -> p.getSubjectX500Principal().equals(c.getIssuerX500Principal())
                    && !p.equals(c) && !path.contains(p)).findFirst().orElse(null);
            if (issuer == null) {
                break;
            }
            path.add(issuer);
            current = issuer;
        }
        path.removeIf(anchors::contains);
        return path;
    }

    /** True when {@code chain} (the certificate first) validates now to one of {@code anchors}. */
    public static boolean issuedUnder(List<X509Certificate> chain, List<X509Certificate> anchors) {
        if (chain.isEmpty()) {
            return false;
        }
        try {
            validate(chain.get(0), chain, anchors, Instant.now());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
