package dev.avocado.protocol.x509;

import java.security.Provider;
import java.util.Objects;

/**
 * The JCA provider that checks signatures over vouchers, voucher requests and CSRs, and makes them with
 * software keys: BouncyCastle, unless a server process chose a faster one at its start (the servers
 * choose Conscrypt's BoringSSL, three times BouncyCastle's speed for a key seen once: docs/performance.md).
 * The device never changes it; ASN.1, X.509 and CMS stay BouncyCastle's whoever computes the signature.
 */
public final class Signatures {

    private static volatile Provider provider = Bc.PROVIDER;

    private Signatures() {
    }

    public static Provider provider() {
        return provider;
    }

    /**
     * The provider for a signature of this algorithm: the chosen one when it has the algorithm, else
     * BouncyCastle (Conscrypt has no RSASSA-PSS under BouncyCastle's name, for one, and a peer may sign so).
     */
    public static Provider forAlgorithm(org.bouncycastle.asn1.x509.AlgorithmIdentifier algorithm) {
        Provider p = provider;
        if (p == Bc.PROVIDER) {
            return p;
        }
        String name = new org.bouncycastle.operator.DefaultAlgorithmNameFinder().getAlgorithmName(algorithm);
        return p.getService("Signature", name) != null
                || p.getService("Signature", algorithm.getAlgorithm().getId()) != null ? p : Bc.PROVIDER;
    }

    /**
     * The provider that signs with {@code key}: the chosen one for a software key; none (null) for a key
     * held by a token that does not give its encoding out (no format) (a PKCS#11 key of the JDK's SunPKCS11, the
     * servers' keys in an HSM), so that the JCA picks the token's provider, the only one that takes its
     * key objects. A caller passes a provider of its own for keys it holds itself (the device's TPM).
     */
    public static Provider signing(java.security.PrivateKey key) {
        // the format, not the encoding: getEncoded() copies the private key into the heap at every call
        return key.getFormat() == null ? null : provider;
    }

    /** For a server's main: every signature check and software-key signature from now on uses {@code p}. */
    public static void use(Provider p) {
        provider = Objects.requireNonNull(p, "provider");
    }
}
