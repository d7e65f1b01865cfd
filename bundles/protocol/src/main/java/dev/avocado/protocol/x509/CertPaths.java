package dev.avocado.protocol.x509;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
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

/**
 * PKIX path validation, one way for every party: revocation not checked (no CRLs are published here).
 *
 * <p>BouncyCastle's validator on BouncyCastle's certificate objects: the JDK's verifies ECDSA with SunEC,
 * six times slower than BouncyCastle on Java 17, and given BouncyCastle's objects (what BCJSSE hands a
 * trust manager) it translates every certificate and key again (docs/performance.md has the figures).
 * So certificates of another provider are parsed into BouncyCastle's objects first, and paths already
 * accepted are not validated again ({@link ValidatedPaths}).
 */
public final class CertPaths {

    private static final ValidatedPaths ACCEPTED = new ValidatedPaths();

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
        String key = ValidatedPaths.key(path, anchors);
        if (ACCEPTED.known(key, at)) {
            return;
        }
        if (path.isEmpty()) {
            // the certificate is an anchor itself: nothing to validate but its dates
            try {
                cert.checkValidity(Date.from(at));
            } catch (CertificateException e) {
                throw new CertPathValidatorException("the anchor " + Names.display(cert.getSubjectX500Principal())
                        + " is not valid at " + at + ": " + e.getMessage(), e);
            }
            return;
        }
        CertificateFactory x509 = CertificateFactory.getInstance("X.509", Bc.PROVIDER);
        Set<TrustAnchor> ta = new HashSet<>();
        for (X509Certificate a : bc(anchors, x509)) {
            ta.add(new TrustAnchor(a, null));
        }
        PKIXParameters params = new PKIXParameters(ta);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        java.security.Provider signatures = signatureProvider(path);
        if (signatures != Bc.PROVIDER) {
            params.setSigProvider(signatures.getName()); // a server's faster signature checks (ServerCrypto)
        }
        CertPathValidator.getInstance("PKIX", Bc.PROVIDER).validate(x509.generateCertPath(bc(path, x509)), params);
        ACCEPTED.remember(key, path, anchors);
    }

    /**
     * The provider that checks the path's signatures: the servers' chosen one when it is registered (the
     * validator names it) and has the algorithm of every certificate (the rule of {@link
     * Signatures#forAlgorithm}, as for CSRs and CMS), else BouncyCastle.
     */
    private static java.security.Provider signatureProvider(List<X509Certificate> path) throws CertificateException {
        java.security.Provider chosen = Signatures.provider();
        if (chosen == Bc.PROVIDER || java.security.Security.getProvider(chosen.getName()) != chosen) {
            return Bc.PROVIDER;
        }
        for (X509Certificate c : path) {
            org.bouncycastle.asn1.x509.AlgorithmIdentifier algorithm;
            try {
                algorithm = org.bouncycastle.asn1.x509.Certificate.getInstance(c.getEncoded()).getSignatureAlgorithm();
            } catch (RuntimeException e) {
                throw new CertificateException("a certificate of the path is malformed: " + e.getMessage(), e);
            }
            if (Signatures.forAlgorithm(algorithm) != chosen) {
                return Bc.PROVIDER;
            }
        }
        return chosen;
    }

    /** The same certificates as BouncyCastle's objects (those that are already are kept as they are). */
    private static List<X509Certificate> bc(List<X509Certificate> certificates, CertificateFactory x509)
            throws CertificateException {
        List<X509Certificate> out = new ArrayList<>(certificates.size());
        for (X509Certificate c : certificates) {
            out.add(c.getClass().getName().startsWith("org.bouncycastle.") ? c
                    : (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(c.getEncoded())));
        }
        return out;
    }

    /** How many accepted paths are remembered (for tests and the servers' figures). */
    static int remembered() {
        return ACCEPTED.size();
    }

    /** Forgets every accepted path (for tests that measure or count validations). */
    static void forget() {
        ACCEPTED.clear();
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
