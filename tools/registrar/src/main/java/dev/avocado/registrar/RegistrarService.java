package dev.avocado.registrar;

import dev.avocado.protocol.io.Printable;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.PledgeRequests;
import dev.avocado.protocol.brski.StatusReport;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.Database;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.ServerCrypto;
import dev.avocado.server.ServerTls;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import dev.avocado.server.Pki;
import dev.avocado.server.Rejection;
import dev.avocado.server.ServerMetrics;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network owner's registrar (RFC 8995) with its EST CA (RFC 7030). A pledge's voucher request is
 * checked (C.3), approved by policy, wrapped and signed for the MASA its IDevID names (C.4), and the
 * voucher checked (C.8) before the pledge gets it (C.9). EST then issues the LDevID from the domain CA
 * (D.4, D.5). Every answer follows the commit of what it reports.
 */
public final class RegistrarService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrarService.class);
    private static final String JSON = "application/json";

    /** Which pledges get a voucher. */
    public enum Approval {
        /** Every pledge with an IDevID of a trusted manufacturer. */
        AUTO,
        /** Serials added with 'registrar allow'. */
        ALLOWLIST,
        /** Each pledge waits (HTTP 202, Retry-After) until 'registrar approve'. */
        MANUAL;

        public static Approval parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("approval '" + s + "' is none of auto, allowlist, manual");
            }
        }
    }

    /**
     * How the registrar runs.
     *
     * @param manufacturers the MPRs of the manufacturers whose IDevIDs are accepted; a pledge's MASA
     *        (its TLS server role) and its voucher (the MASA signer role) are checked against the pledge's
     *        own manufacturer only
     * @param ldevidValidity how long an LDevID is valid
     * @param retryAfter what 202 and 503 answers tell the pledge to wait
     * @param dnsSd announce the registrar with DNS-SD (_brski-registrar._tcp) on the bind address
     */
    public record Settings(String bind, int port, Approval approval, List<ManufacturerTrust> manufacturers,
            Duration ldevidValidity, Duration retryAfter, boolean dnsSd) {
    }

    private final Pki.Credential tls;
    private final PledgeRegistry registry;
    private final Settings settings;
    private final PledgeAuthentication pledges;
    private final ApprovalPolicy approval;
    private final MasaClient masa;
    private final EstCa est;
    /** What it answered and issued: GET /metrics at --metrics. */
    private final ServerMetrics metrics = new ServerMetrics("registrar");
    private final HttpsServer server;
    private final DnsSdAnnouncer announcer;

    private RegistrarService(Pki pki, Database db, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        Pki.Credential domainCa = pki.load(Pki.OWNER, Pki.DOMAIN_CA);
        Pki.Credential t = pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        this.tls = new Pki.Credential(t.certificate(), t.key(), List.of(domainCa.certificate()));
        Pki.Credential s = pki.load(Pki.OWNER, Pki.REGISTRAR);
        Pki.Credential signer = new Pki.Credential(s.certificate(), s.key(), List.of(domainCa.certificate()));
        this.registry = new PledgeRegistry(db);
        this.settings = settings;
        if (settings.manufacturers().isEmpty()) {
            throw new IllegalArgumentException("the registrar needs at least one manufacturer root (--manufacturer)");
        }
        for (ManufacturerTrust m : settings.manufacturers()) {
            if (m.voucherAnchors().isEmpty()) {
                throw new IllegalArgumentException("the MPR of " + m.describe() + ": no voucher of this manufacturer "
                        + "could pass C.8");
            }
        }
        this.pledges = new PledgeAuthentication(settings.manufacturers(), domainCa.certificate());
        this.approval = new ApprovalPolicy(registry, settings.approval(), settings.retryAfter());
        this.masa = new MasaClient(signer, tls, settings.retryAfter());
        this.est = new EstCa(domainCa, pki.owner(), registry, pledges, settings.ldevidValidity(), metrics);
        HttpsServer.Builder routes = HttpsServer.builder("registrar").metrics(metrics)
                .metricsListener(metricsAt == null ? null : metricsAt.bind(), metricsAt == null ? 0 : metricsAt.port())
                .bind(settings.bind(), settings.port())
                .tls(ServerTls.configured().anyClient(new TlsContexts.Credential(tls.key(), tls.withChain())), HttpsServer.ClientAuth.WANT)
                .maxBody(32 * 1024)
                .unavailable("the registrar database", settings.retryAfter())
                .route("POST", Brski.REQUEST_VOUCHER, "C.3", this::requestVoucher)
                .route("POST", Brski.VOUCHER_STATUS, "voucher status", ex -> report(ex, "voucher"))
                .route("POST", Brski.ENROLL_STATUS, "enroll status", ex -> report(ex, "enroll"))
                .route("GET", Est.CACERTS, "D.3", est::cacerts)
                .route("GET", Est.CSRATTRS, "D.3", est::csrattrs)
                .route("POST", Est.SIMPLEENROLL, "D.4", ex -> est.enroll(ex, false))
                .route("POST", Est.SIMPLEREENROLL, "D.4", ex -> est.enroll(ex, true));
        this.server = new RegistrarConsole(registry, settings.approval()).routes(routes).start();
        this.announcer = settings.dnsSd() ? DnsSdAnnouncer.announce(settings.bind(), server.port(), pki.owner()) : null;
    }

    /** Opens the database (creating or migrating its schema) and starts serving. */
    public static RegistrarService start(Pki pki, String jdbcUrl, Settings settings) throws Exception {
        return start(pki, jdbcUrl, settings, null);
    }

    /** The same, with {@code GET /metrics} served at {@code metricsAt} (null: not served). */
    public static RegistrarService start(Pki pki, String jdbcUrl, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        ServerCrypto.install();
        return Database.serve(jdbcUrl, "registrar", PledgeRegistry.SCHEMA, db -> new RegistrarService(pki, db, settings, metricsAt));
    }

    public int port() {
        return server.port();
    }

    /** The port of GET /metrics, or -1 when it is not served. */
    public int metricsPort() {
        return server.metricsPort();
    }

    public String describe() {
        return "https://" + settings.bind() + ":" + port() + " (approval " + settings.approval().name().toLowerCase(Locale.ROOT)
                + ", database " + registry.database().describe() + (announcer == null ? "" : ", " + announcer.describe()) + ")";
    }

    @Override
    public void close() throws Exception {
        if (announcer != null) {
            announcer.close();
        }
        server.close();
        registry.database().close();
    }

    // --- C.3 to C.9

    private Reply requestVoucher(Exchange ex) throws Rejection, SQLException {
        PledgeAuthentication.PledgeId pledge = pledges.idevid(ex);
        IdevidProfile.Idevid idevid = pledge.idevid();
        if (!VoucherCms.MEDIA_TYPE.equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type " + VoucherCms.MEDIA_TYPE + ", got '" + ex.contentType() + "'");
        }
        if (!ex.accepts(VoucherCms.MEDIA_TYPE)) {
            throw new Rejection(406, "the answer is " + VoucherCms.MEDIA_TYPE + ", which Accept '" + ex.accept() + "' excludes");
        }
        VoucherCms.Signed request;
        String serial;
        try {
            request = VoucherCms.verify(ex.body(), null, Instant.now(), List.of());
        } catch (VoucherException e) {
            throw new Rejection(400, "the voucher request is malformed: " + e.getMessage());
        }
        try {
            serial = PledgeRequests.check(request, idevid.certificate(), tls.certificate());
        } catch (VoucherException e) {
            throw new Rejection(403, e.getMessage());
        }
        LOG.info("C.3 voucher request of serial {} from {} is well formed", serial, ex.remoteAddress());
        Optional<Reply> held = approval.decide(serial, idevid.certificate(), ex.remoteAddress());
        if (held.isPresent()) {
            return held.get();
        }
        String nonce = request.voucher().nonce();
        Optional<Reply> again = given(serial, idevid, nonce);
        if (again.isPresent()) {
            return again.get();
        }
        MasaClient.Checked checked = masa.voucher(pledge, request, ex.body());
        byte[] voucher = checked.cms();
        try {
            registry.database().transaction(c -> {
                registry.voucher(c, serial, idevid.certificate(), nonce, Base64.getEncoder().encodeToString(voucher),
                        checked.voucher());
                registry.status(c, serial, PledgeRegistry.Status.VOUCHER, "voucher delivered");
                return null;
            });
        } catch (SQLException e) {
            // another instance answered the same request at the same moment: its voucher is the answer
            again = Database.UNIQUE_VIOLATION.equals(e.getSQLState()) ? given(serial, idevid, nonce) : Optional.empty();
            return again.orElseThrow(() -> e);
        }
        metrics.issued("voucher");
        LOG.info("C.9 voucher for serial {} returned to the pledge", serial);
        return Reply.of(200, VoucherCms.MEDIA_TYPE, voucher);
    }

    /**
     * A pledge asking again with the same request (same IDevID certificate, same nonce): its answer was
     * lost, or the instance it asked died after the commit. It gets the voucher it was given, not a new
     * one (the MASA would log a second voucher for one request).
     */
    private Optional<Reply> given(String serial, IdevidProfile.Idevid idevid, String nonce) throws SQLException {
        if (nonce == null) {
            return Optional.empty();
        }
        Optional<String> stored = registry.database().transaction(c -> registry.voucherFor(c, idevid.certificate(), nonce));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        LOG.info("C.9 voucher for serial {} and nonce {} was handed out before: the same voucher again", serial, nonce);
        return Optional.of(Reply.of(200, VoucherCms.MEDIA_TYPE, Base64.getDecoder().decode(stored.get())));
    }

    // --- status reports

    /** voucher_status and enrollstatus: kept as said; a failure marks a pledge that has a voucher. */
    private Reply report(Exchange ex, String kind) throws Rejection, SQLException {
        String serial = pledges.deviceSerial(ex);
        if (!JSON.equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type application/json, got '" + ex.contentType() + "'");
        }
        StatusReport report;
        try {
            report = StatusReport.parse(ex.body());
        } catch (IOException e) {
            throw new Rejection(400, "the " + kind + " status is malformed: " + e.getMessage());
        }
        registry.database().transaction(c -> {
            registry.report(c, serial, kind, report.status(), report.reason(), ex.bodyText());
            if (!registry.hasVoucher(c, serial)) {
                return null; // kept as said, but a report changes nothing for a pledge that has no voucher
            }
            if (!report.status()) {
                registry.status(c, serial, PledgeRegistry.Status.FAILED, kind + " failed: " + report.reason());
            } else if ("voucher".equals(kind)) {
                registry.status(c, serial, PledgeRegistry.Status.TRUSTED, "accepted the voucher");
            }
            return null;
        });
        LOG.info("{} status of serial {}: {} {}", kind, serial, report.status() ? "success" : "FAILURE",
                Printable.of(report.reason()));
        return Reply.text(200, "recorded");
    }

    // --- what the owner's staff do

    public static Admin admin(String jdbcUrl) throws SQLException {
        return new Admin(new PledgeRegistry(Database.open(jdbcUrl, "registrar", PledgeRegistry.SCHEMA)));
    }

    /** Pledges, approvals, the allowlist, LDevIDs. */
    public static final class Admin implements AutoCloseable {
        private final PledgeRegistry registry;

        Admin(PledgeRegistry registry) {
            this.registry = registry;
        }

        public List<String> pledges() throws SQLException {
            List<String> lines = new ArrayList<>();
            for (PledgeRegistry.Pledge p : registry.pledges()) {
                lines.add(String.format("%-20s %-9s %-12s last seen %s from %s: %s", p.serial(),
                        p.status().name().toLowerCase(Locale.ROOT), p.approved() ? "approved" : "not approved", p.lastSeen(),
                        p.remote(), p.reason()));
            }
            return lines;
        }

        public List<String> ldevids(String serial) throws SQLException {
            List<String> lines = new ArrayList<>();
            for (PledgeRegistry.Ldevid l : registry.ldevids(serial)) {
                lines.add(String.format("%-20s %-8s issued %s: %s, serial %s, until %s", l.serial(), l.status(), l.issuedAt(),
                        Names.display(l.certificate().getSubjectX500Principal()), l.certificate().getSerialNumber().toString(16),
                        l.certificate().getNotAfter().toInstant()));
            }
            return lines;
        }

        public int approve(List<String> serials) throws SQLException, ProfileException {
            for (String s : serials) {
                IdevidProfile.checkSerial(s);
            }
            return registry.approve(serials);
        }

        public int allow(List<String> serials) throws SQLException, ProfileException {
            for (String s : serials) {
                IdevidProfile.checkSerial(s);
            }
            return registry.allow(serials);
        }

        /** Sets the console's admin password (ending every console session). */
        public void consolePassword(char[] password) throws SQLException {
            new dev.avocado.server.ConsoleAuth(registry.database(), "registrar", "registrar console-password").setPassword(password);
        }

        /** Rows in a table (pledges, vouchers, reports, ldevids). */
        public long count(String table) throws SQLException {
            return registry.count(table);
        }

        @Override
        public void close() {
            registry.database().close();
        }
    }
}
