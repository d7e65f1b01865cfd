package dev.avocado.server;

import java.time.Duration;
import java.util.Optional;

/**
 * A request a service refuses: the HTTP status, a reason a person can read, and when to ask again (a
 * 503 or a 202 hold). Nothing is stored. A route throws it; {@link HttpsServer} turns it into the reply,
 * in one place for every service.
 */
public final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration retryAfter;
    private final String step;

    public Rejection(int status, String reason) {
        this(status, reason, null);
    }

    /** A refusal that says when to ask again (Retry-After, whole seconds). */
    public Rejection(int status, String reason, Duration retryAfter) {
        this(status, reason, retryAfter, null);
    }

    private Rejection(int status, String reason, Duration retryAfter, String step) {
        super(reason);
        this.status = status;
        this.retryAfter = retryAfter;
        this.step = step;
    }

    /**
     * The same refusal, naming the protocol step that refused (C.5: the MASA refused, say) when it is
     * not the route's own; the reply says it in {@link dev.avocado.protocol.brski.Brski#STEP_HEADER}.
     */
    public Rejection at(String step) {
        return new Rejection(status, getMessage(), retryAfter, step);
    }

    /** The step that refused, when it is not the route's own. */
    public Optional<String> step() {
        return Optional.ofNullable(step);
    }

    public int status() {
        return status;
    }

    /** When to ask again, if the refusal is for now only. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * A refusal decided inside a database transaction: thrown there, it rolls the transaction back and
     * is caught outside as {@link InTransaction#rejection()}.
     */
    public static final class InTransaction extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Rejection rejection;

        public InTransaction(Rejection rejection) {
            super(rejection.getMessage(), null, false, false);
            this.rejection = rejection;
        }

        public Rejection rejection() {
            return rejection;
        }
    }

    /** The reply that tells the client, with Retry-After when it has one. */
    public HttpsServer.Reply reply() {
        HttpsServer.Reply reply = HttpsServer.Reply.text(status, getMessage());
        if (step != null) {
            reply = reply.header(dev.avocado.protocol.brski.Brski.STEP_HEADER, step);
        }
        return retryAfter == null ? reply : reply.retryAfter(retryAfter);
    }
}
