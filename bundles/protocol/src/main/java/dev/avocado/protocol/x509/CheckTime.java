package dev.avocado.protocol.x509;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The instant at which certificates are checked. A server knows the time: {@link #system()}. A device
 * may not ({@link #atLeast}): its clock can be behind the true time but its "now" is never before what it
 * knows for sure, so a certificate that expired before that now really expired and is refused; a
 * certificate whose notBefore is after that now may be valid already (the device cannot tell a
 * certificate from the future from its own clock being behind), so such a set of certificates is checked
 * at the latest of their notBefore dates, which still refuses any of them that expired by then.
 */
@FunctionalInterface
public interface CheckTime {

    /** The instant to check {@code certificates} at (an empty collection: now). */
    Instant at(Collection<X509Certificate> certificates);

    /** Now, for checks that involve no certificate (a voucher's expires-on). */
    default Instant now() {
        return at(java.util.List.of());
    }

    /**
     * The instant to check {@code cert}'s path at: the path {@link CertPaths#chain} finds through
     * {@code pool} up to {@code anchors}, not everything a peer sent (a certificate that is in no path
     * must not move the instant).
     */
    default Instant at(X509Certificate cert, java.util.List<X509Certificate> pool, java.util.List<X509Certificate> anchors) {
        return at(CertPaths.chain(cert, pool, anchors));
    }

    /** The system clock: a server's. */
    static CheckTime system() {
        return certificates -> Instant.now();
    }

    /** A fixed instant (a test, {@code voucher inspect --at}). */
    static CheckTime fixed(Instant at) {
        return certificates -> at;
    }

    /**
     * A device's: {@code now} (the system clock, never before the device's floor), or the latest notBefore
     * among the certificates when that is later.
     */
    static CheckTime atLeast(Supplier<Instant> now) {
        return certificates -> {
            Instant at = now.get();
            for (X509Certificate c : certificates) {
                Instant notBefore = c.getNotBefore().toInstant();
                if (notBefore.isAfter(at)) {
                    at = notBefore;
                }
            }
            return at;
        };
    }
}
