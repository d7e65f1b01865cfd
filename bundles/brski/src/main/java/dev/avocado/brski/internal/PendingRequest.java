package dev.avocado.brski.internal;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * C.1's signed voucher request, kept from one attempt to the next while its answer has not come (the
 * connection broke, or the registrar or the MASA behind it failed with a 5xx). Asked again unchanged,
 * the same nonce lets a MASA that already logged a voucher for it answer with that one instead of
 * signing and logging a second that nobody receives. It is asked again only of a registrar with the
 * same TLS certificate (the request names it: proximity-registrar-cert) and for at most
 * {@link #LONGEST}; an answer of any other kind ends it.
 */
final class PendingRequest {

    /** How long a signed request is asked again before a new one is made. */
    static final Duration LONGEST = Duration.ofHours(1);

    /** A request signed for a registrar and its nonce. */
    record Signed(String nonce, byte[] request) {
    }

    private final LongSupplier nanoTime;
    private X509Certificate registrar;
    private Signed signed;
    private long at;

    PendingRequest() {
        this(System::nanoTime);
    }

    /** @param nanoTime the monotonic clock (the device's wall clock may jump when it learns the time) */
    PendingRequest(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The request to ask again of the registrar that showed {@code registrarCert} at C.0, if there is one. */
    synchronized Optional<Signed> again(X509Certificate registrarCert) {
        if (signed == null || !registrar.equals(registrarCert) || nanoTime.getAsLong() - at > LONGEST.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(new Signed(signed.nonce(), signed.request().clone()));
    }

    /** A request just signed for that registrar: kept until {@link #answered()}. */
    synchronized void signed(X509Certificate registrarCert, String nonce, byte[] request) {
        this.registrar = registrarCert;
        this.signed = new Signed(nonce, Arrays.copyOf(request, request.length));
        this.at = nanoTime.getAsLong();
    }

    /** The registrar answered (a voucher, or a refusal that is not a server failure): the next attempt signs anew. */
    synchronized void answered() {
        registrar = null;
        signed = null;
    }
}
