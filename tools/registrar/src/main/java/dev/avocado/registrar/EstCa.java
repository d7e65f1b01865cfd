package dev.avocado.registrar;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.CsrPolicy;
import dev.avocado.server.Database;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import dev.avocado.server.Pki;
import dev.avocado.server.Rejection;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar's EST CA (RFC 7030, D.3 to D.6): cacerts (the domain CA), csrattrs, simpleenroll by
 * the IDevID certificate that was handed a voucher here, simplereenroll by the current LDevID. The
 * certificate is answered only after its row is committed.
 */
final class EstCa {

    private static final Logger LOG = LoggerFactory.getLogger(EstCa.class);

    private final Pki.Credential domainCa;
    private final String owner;
    private final PledgeRegistry registry;
    private final PledgeAuthentication pledges;
    private final Duration ldevidValidity;
    private final dev.avocado.server.ServerMetrics metrics;

    EstCa(Pki.Credential domainCa, String owner, PledgeRegistry registry, PledgeAuthentication pledges,
            Duration ldevidValidity, dev.avocado.server.ServerMetrics metrics) {
        this.metrics = metrics;
        this.domainCa = domainCa;
        this.owner = owner;
        this.registry = registry;
        this.pledges = pledges;
        this.ldevidValidity = ldevidValidity;
    }

    Reply cacerts(Exchange ex) {
        return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(domainCa.certificate())));
    }

    /** What the LDevID CSR must be: the serialNumber, an EC P-256 key, ECDSA with SHA-256. */
    Reply csrattrs(Exchange ex) {
        return Reply.est(Est.CSRATTRS_TYPE, Est.csrattrsEcP256());
    }

    /** D.4 and D.5 for simpleenroll ({@code renewal} false) and simplereenroll. */
    Reply enroll(Exchange ex, boolean renewal) throws Rejection, SQLException {
        PledgeAuthentication.PledgeId pledge = renewal ? null : idevidWithVoucher(ex);
        X509Certificate idevid = pledge == null ? null : pledge.idevid().certificate();
        Renewing renewing = renewal ? renewing(ex) : null;
        String serial = renewal ? renewing.serial() : pledge.idevid().serialNumber();
        String maker = pledge == null ? null : PledgeRegistry.manufacturer(pledge.manufacturer());
        CsrPolicy.Accepted accepted = CsrPolicy.check(ex);
        if (!accepted.serial().equals(serial)) {
            throw new Rejection(403, "the CSR is for serial " + accepted.serial() + " but the TLS client is serial " + serial);
        }
        if (renewing != null && renewing.replacedBy() != null) {
            X509Certificate live = renewing.replacedBy();
            if (!java.util.Arrays.equals(live.getPublicKey().getEncoded(), accepted.publicKey().getEncoded())) {
                throw new Rejection(403, "the LDevID presented was replaced by LDevID " + live.getSerialNumber().toString(16)
                        + " of serial " + serial + "; renew with the current one");
            }
            // the renewal's answer was lost: the device still holds the LDevID it replaced, and asks for the same key
            LOG.info("D.5 serial {} asked again with the LDevID it replaced and the same key: LDevID {} again", serial,
                    live.getSerialNumber().toString(16));
            return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(live)));
        }
        Instant now = Instant.now();
        X509Certificate ldevid = LdevidProfile.issue(domainCa.certificate(), domainCa.key(),
                LdevidProfile.subject(owner, serial), accepted.publicKey(), now.minusSeconds(60), now.plus(ldevidValidity));
        X509Certificate answer;
        try {
            answer = registry.database().transaction(c -> {
                if (idevid != null) {
                    // the same device with the same key asking again (its answer was lost, an instance died after
                    // the commit): the LDevID it was given, not a second one
                    Optional<X509Certificate> given = registry.liveEnrolledWith(c, serial, idevid);
                    if (given.isPresent() && java.util.Arrays.equals(given.get().getPublicKey().getEncoded(),
                            accepted.publicKey().getEncoded())) {
                        return given.get();
                    }
                }
                if (maker != null) {
                    // the manufacturer is its root key: two makers' CAs may share a name
                    Optional<String> holder = registry.liveManufacturer(c, serial);
                    if (holder.isPresent() && !holder.get().equals(maker)) {
                        throw new Rejection.InTransaction(new Rejection(409, "serial " + serial + " has a current LDevID "
                                + "enrolled with an IDevID of another manufacturer than " + Names.display(
                                pledge.manufacturer().primary().getSubjectX500Principal()) + " (or before enrollment was "
                                + "bound to a manufacturer); it stays"));
                    }
                }
                registry.issued(c, serial, ldevid, idevid, maker);
                registry.status(c, serial, PledgeRegistry.Status.ENROLLED, (renewal ? "re-enrolled" : "enrolled")
                        + ": LDevID " + ldevid.getSerialNumber().toString(16));
                return ldevid;
            });
        } catch (SQLException e) {
            if (Database.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new Rejection(409, "serial " + serial + " was enrolled by another request at the same moment; ask again");
            }
            throw e;
        }
        if (answer != ldevid) {
            LOG.info("D.5 serial {} asked again with the same IDevID and key: LDevID {} again", serial,
                    answer.getSerialNumber().toString(16));
            return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(answer)));
        }
        metrics.issued("ldevid");
        LOG.info("D.5 LDevID {} issued to serial {} ({}), valid until {}", ldevid.getSerialNumber().toString(16), serial,
                renewal ? "re-enrollment" : "enrollment", ldevid.getNotAfter().toInstant());
        return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(ldevid)));
    }

    /**
     * simpleenroll: the TLS client certificate is an IDevID, and exactly that certificate was handed a
     * voucher here. An LDevID (current or replaced) is sent to simplereenroll; another device's IDevID
     * with the same serial string (another manufacturer's) has no voucher of its own.
     */
    private PledgeAuthentication.PledgeId idevidWithVoucher(Exchange ex) throws Rejection, SQLException {
        if (pledges.isLdevid(ex)) {
            throw new Rejection(403, "simpleenroll takes the IDevID that received the voucher, not an LDevID; "
                    + "a current LDevID renews with simplereenroll");
        }
        PledgeAuthentication.PledgeId pledge = pledges.idevid(ex);
        X509Certificate idevid = pledge.idevid().certificate();
        // the voucher row, not the pledge's status: approval and status reports come before any voucher
        if (!registry.database().transaction(c -> registry.hasVoucher(c, idevid))) {
            throw new Rejection(403, "the IDevID " + Names.display(idevid.getSubjectX500Principal()) + " issued by "
                    + Names.display(idevid.getIssuerX500Principal()) + " (certificate serial "
                    + idevid.getSerialNumber().toString(16) + ") has no voucher from this registrar; request a voucher first");
        }
        return pledge;
    }

    /**
     * Who renews: the serial, and, when the client presents the LDevID that the current one replaced
     * last, that current one (the renewal's answer was lost: it is answered again for the same key only).
     */
    private record Renewing(String serial, X509Certificate replacedBy) {
    }

    /**
     * simplereenroll: the client authenticates with its current LDevID, or with the one the current LDevID
     * replaced last (a renewal asked again). Any older LDevID is refused.
     */
    private Renewing renewing(Exchange ex) throws Rejection, SQLException {
        if (!pledges.isLdevid(ex)) {
            throw new Rejection(403, "re-enrollment needs the device's current LDevID as TLS client certificate");
        }
        X509Certificate presented = ex.clientChain().get(0);
        String serial = Names.serialNumber(presented).orElseThrow(() -> new Rejection(403, "the LDevID has no serialNumber"));
        Optional<Renewing> who = registry.database().transaction(c -> {
            Optional<PledgeRegistry.Ldevid> live = registry.liveLdevid(c, serial);
            if (live.isEmpty()) {
                return Optional.<Renewing>empty();
            }
            if (live.get().certificate().equals(presented)) {
                return Optional.of(new Renewing(serial, null));
            }
            return registry.lastReplaced(c, serial).filter(presented::equals)
                    .map(r -> new Renewing(serial, live.get().certificate()));
        });
        return who.orElseThrow(() -> new Rejection(403, "the LDevID presented is not the current one of serial " + serial));
    }
}
