package dev.avocado.server;

import dev.avocado.protocol.io.Printable;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a route's failure becomes, the same for every service: a {@link Rejection} its reply (with its
 * Retry-After) and a log line with the step and the caller; a database failure 503 with Retry-After
 * (nothing was committed, so asking again is safe); anything else 500, its details in the log only.
 */
final class RouteErrors {

    private static final Logger LOG = LoggerFactory.getLogger(RouteErrors.class);

    /** What the service says when its database is down: what is unavailable, and when to ask again. */
    record Unavailable(String what, Duration retryAfter) {
    }

    private RouteErrors() {
    }

    static HttpsServer.Reply reply(Throwable failure, String service, String step, HttpsServer.Exchange ex,
            Unavailable unavailable) {
        Rejection rejection = failure instanceof Rejection r ? r
                : failure instanceof Rejection.InTransaction t ? t.rejection() : null;
        if (rejection != null) {
            LOG.info("{} {}: refused {} {} from {}: {} {}", service, rejection.step().orElse(step), ex.method(), ex.path(),
                    ex.remoteAddress(),
                    rejection.status(), Printable.of(rejection.getMessage()));
            return rejection.reply();
        }
        if (failure instanceof SQLException e) {
            LOG.error("{} {}: database failure on {} {}", service, step, ex.method(), ex.path(), e);
            return new Rejection(503, unavailable.what() + " is not available; try again", unavailable.retryAfter()).reply();
        }
        LOG.error("{} {}: {} {} failed", service, step, ex.method(), ex.path(), failure);
        return HttpsServer.Reply.text(500, "internal error; the server log has the details");
    }
}
