package dev.avocado.api.identity;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A device certificate with its chain as stored on the data partition.
 *
 * @param kind IDevID or LDevID
 * @param chain the device certificate first, then the issuing CA certificates the issuer sent
 * @param keyAlias alias of the private key in the key service
 * @param location the file the identity is kept in
 */
public record DeviceIdentity(Kind kind, List<X509Certificate> chain, String keyAlias, String location) {

    /** The two identities of IEEE 802.1AR. */
    public enum Kind {
        IDEVID, LDEVID
    }

    public DeviceIdentity {
        Objects.requireNonNull(kind, "kind");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity holds at least its own certificate");
        }
        Objects.requireNonNull(keyAlias, "keyAlias");
        Objects.requireNonNull(location, "location");
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }
}
