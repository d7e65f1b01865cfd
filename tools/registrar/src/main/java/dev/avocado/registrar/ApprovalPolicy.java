package dev.avocado.registrar;

import dev.avocado.server.HttpsServer.Reply;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which pledges get a voucher (after C.3): every one (auto), those on the allowlist, or those the
 * owner approved (manual; the others are held with 202 and Retry-After, and those the owner refused
 * get 403). What was decided is
 * committed with the pledge's row, a refusal too, before the answer.
 */
final class ApprovalPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalPolicy.class);

    /** Why a pledge the owner refused in the console is refused, kept in its row. */
    static final String REFUSED_BY_OWNER = "refused by the owner in the console ('registrar approve' lets it in)";

    private final PledgeRegistry registry;
    private final RegistrarService.Approval approval;
    private final Duration retryAfter;

    ApprovalPolicy(PledgeRegistry registry, RegistrarService.Approval approval, Duration retryAfter) {
        this.registry = registry;
        this.approval = approval;
        this.retryAfter = retryAfter;
    }

    /** Empty when the pledge may go on to the MASA, else the answer that holds or refuses it. */
    Optional<Reply> decide(String serial, X509Certificate idevid, String remote) throws SQLException {
        return registry.database().transaction(c -> {
            // locked: an approval or refusal in the console at this moment waits, and is not overwritten
            Optional<PledgeRegistry.Pledge> known = registry.pledgeForUpdate(c, serial);
            boolean approved = switch (approval) {
                case AUTO -> true;
                case ALLOWLIST, MANUAL -> registry.allowed(c, serial) || known.map(PledgeRegistry.Pledge::approved).orElse(false);
            };
            if (approved) {
                registry.seen(c, serial, idevid, known.map(PledgeRegistry.Pledge::status).orElse(PledgeRegistry.Status.PENDING),
                        true, remote, "approved; asking the MASA");
                return Optional.empty();
            }
            if (approval == RegistrarService.Approval.ALLOWLIST) {
                String why = "serial " + serial + " is not on this registrar's allowlist (registrar allow " + serial + ")";
                registry.seen(c, serial, idevid, PledgeRegistry.Status.REFUSED, false, remote, why);
                LOG.info("C.3 refused serial {}: not on the allowlist", serial);
                return Optional.of(Reply.text(403, why));
            }
            // the owner's refusal, not an allowlist's of a registrar that ran with approval allowlist before
            if (known.map(p -> p.status() == PledgeRegistry.Status.REFUSED && REFUSED_BY_OWNER.equals(p.reason())).orElse(false)) {
                String why = "serial " + serial + " was refused by this registrar's owner";
                registry.seen(c, serial, idevid, PledgeRegistry.Status.REFUSED, false, remote, known.get().reason());
                LOG.info("C.3 refused serial {}: {}", serial, known.get().reason());
                return Optional.of(Reply.text(403, why));
            }
            String why = "serial " + serial + " waits for the owner's approval (registrar approve " + serial + ")";
            registry.seen(c, serial, idevid, PledgeRegistry.Status.PENDING, false, remote, why);
            LOG.info("C.3 serial {} waits for approval", serial);
            return Optional.of(Reply.text(202, why).retryAfter(retryAfter));
        });
    }
}
