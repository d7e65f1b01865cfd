package dev.avocado.masa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.DomainCerts;
import dev.avocado.protocol.brski.RegistrarRequests;
import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
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
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manufacturer's authorized signing authority (RFC 8995 section 5.5): takes registrar voucher
 * requests (C.5), signs vouchers with the MASA key under the manufacturer root (C.6), keeps who owns
 * which serial and every voucher issued, and answers audit log requests (section 5.8). A voucher is
 * answered only after its log row is committed.
 */
public final class MasaService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MasaService.class);

    /** How the MASA decides who owns a serial. */
    public enum Ownership {
        /** The first domain to ask for a serial owns it; every claim is logged. For demos and labs. */
        FIRST_CLAIM,
        /** Only domains the manufacturer recorded as owners ('masa claim', from sales records). */
        RECORDS;

        public static Ownership parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "first-claim" -> FIRST_CLAIM;
                case "records" -> RECORDS;
                default -> throw new IllegalArgumentException("ownership '" + s + "' is neither first-claim nor records");
            };
        }

        public String label() {
            return this == FIRST_CLAIM ? "first-claim" : "records";
        }
    }

    /** How the service runs. */
    public record Settings(String bind, int port, Ownership ownership, Duration voucherLifetime) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Pki.Credential signer;
    private final List<X509Certificate> manufacturer;
    private final List<X509Certificate> issuingCas;
    private final VoucherLog log;
    private final Settings settings;
    /** What it answered and issued: GET /metrics at --metrics. */
    private final ServerMetrics metrics = new ServerMetrics("masa");
    private final HttpsServer server;

    private MasaService(Pki pki, Database db, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        this.signer = pki.load(Pki.MANUFACTURER, Pki.MASA);
        this.manufacturer = List.of(pki.root());
        this.issuingCas = List.of(pki.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA));
        this.log = new VoucherLog(db);
        this.settings = settings;
        Pki.Credential tls = pki.load(Pki.MANUFACTURER, Pki.MASA_TLS);
        this.server = HttpsServer.builder("masa").metrics(metrics)
                .metricsListener(metricsAt == null ? null : metricsAt.bind(), metricsAt == null ? 0 : metricsAt.port())
                .bind(settings.bind(), settings.port())
                .tls(ServerTls.configured().noClient(new TlsContexts.Credential(tls.key(), tls.withChain())),
                        HttpsServer.ClientAuth.NONE)
                .maxBody(32 * 1024)
                .unavailable("the voucher log", Duration.ofSeconds(2))
                .route("POST", Brski.REQUEST_VOUCHER, "C.5", this::requestVoucher)
                .route("POST", Brski.REQUEST_AUDIT_LOG, "audit log", this::requestAuditLog)
                .start();
    }

    /** Opens the database (creating or migrating its schema) and starts serving. */
    public static MasaService start(Pki pki, String jdbcUrl, Settings settings) throws Exception {
        return start(pki, jdbcUrl, settings, null);
    }

    /** The same, with {@code GET /metrics} served at {@code metricsAt} (null: not served). */
    public static MasaService start(Pki pki, String jdbcUrl, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        ServerCrypto.install();
        return Database.serve(jdbcUrl, "masa", VoucherLog.SCHEMA, db -> new MasaService(pki, db, settings, metricsAt));
    }

    public int port() {
        return server.port();
    }

    /** The port of GET /metrics, or -1 when it is not served. */
    public int metricsPort() {
        return server.metricsPort();
    }

    public String describe() {
        return "https://" + settings.bind() + ":" + port() + " (ownership " + settings.ownership().label() + ", database "
                + log.database().describe() + ")";
    }

    @Override
    public void close() throws Exception {
        server.close();
        log.database().close();
    }

    /** C.5 and C.6. */
    private Reply requestVoucher(Exchange ex) throws Rejection, SQLException {
        RegistrarRequests.Checked request = check(ex, true);
        String domainId = HexFormat.of().formatHex(DomainCerts.domainId(request.domain()));
        Instant now = Instant.now();
        Instant expires = now.plus(settings.voucherLifetime());
        Voucher voucher = Vouchers.create(request, "logged", now, expires);
        // signed before the transaction (the slow part); logged with the claim in one commit, or not at all
        byte[] cms;
        try {
            cms = VoucherCms.sign(voucher, signer.key(), null, List.of(signer.certificate()));
        } catch (VoucherException e) {
            throw new IllegalStateException("C.6: the MASA cannot sign: " + e.getMessage(), e); // a 500, details in the log
        }
        String nonce = request.request().nonce();
        Optional<VoucherLog.Issued> logged = claimAndLog(request, domainId, c -> {
            Optional<VoucherLog.Issued> before = nonce == null ? Optional.empty()
                    : log.nonced(c, request.serial(), domainId, nonce);
            if (before.isEmpty()) {
                log.insertVoucher(c, request.serial(), domainId, Names.display(request.registrar().getSubjectX500Principal()),
                        nonce, voucher.assertion(), now.atOffset(ZoneOffset.UTC), expires.atOffset(ZoneOffset.UTC),
                        ex.remoteAddress(), Base64.getEncoder().encodeToString(cms));
            }
            return before;
        });
        if (logged.isPresent()) {
            return again(logged.get(), request, ex);
        }
        metrics.issued("voucher");
        LOG.info("C.6 voucher for serial {} pinning {} (domain {}) to registrar {} at {}", request.serial(),
                Names.display(request.domain().getSubjectX500Principal()), domainId,
                Names.display(request.registrar().getSubjectX500Principal()), ex.remoteAddress());
        return Reply.of(200, VoucherCms.MEDIA_TYPE, cms);
    }

    /**
     * The request was answered before (same serial, domain and nonce): its answer was lost on the way,
     * or an instance died after the commit. The voucher logged is the answer again, not a second voucher.
     */
    private Reply again(VoucherLog.Issued logged, RegistrarRequests.Checked request, Exchange ex) throws Rejection {
        if (logged.expiresAt() != null && logged.expiresAt().toInstant().isBefore(Instant.now())) {
            throw new Rejection(409, "the voucher for serial " + request.serial() + " and nonce " + logged.nonce()
                    + " was issued at " + logged.createdAt() + " and expired at " + logged.expiresAt()
                    + "; the pledge asks again with a new nonce");
        }
        LOG.info("C.6 voucher for serial {} and nonce {} was logged at {}: the same voucher again, to {} at {}",
                request.serial(), logged.nonce(), logged.createdAt(),
                Names.display(request.registrar().getSubjectX500Principal()), ex.remoteAddress());
        return Reply.of(200, VoucherCms.MEDIA_TYPE, Base64.getDecoder().decode(logged.voucherBase64()));
    }

    /** The registrar request as C.5 checks it; the media types when {@code voucherAnswer}. */
    private RegistrarRequests.Checked check(Exchange ex, boolean voucherAnswer) throws Rejection {
        if (!VoucherCms.MEDIA_TYPE.equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type " + VoucherCms.MEDIA_TYPE + ", got '" + ex.contentType() + "'");
        }
        if (voucherAnswer && !ex.accepts(VoucherCms.MEDIA_TYPE)) {
            throw new Rejection(406, "the answer is " + VoucherCms.MEDIA_TYPE + ", which Accept '" + ex.accept() + "' excludes");
        }
        VoucherCms.Signed signed;
        try {
            signed = VoucherCms.verify(ex.body(), null, Instant.now(), List.of());
        } catch (VoucherException e) {
            throw new Rejection(400, "the registrar voucher request is malformed: " + e.getMessage());
        }
        try {
            return RegistrarRequests.check(signed, manufacturer, issuingCas, Instant.now());
        } catch (VoucherException e) {
            throw new Rejection(403, e.getMessage());
        }
    }

    /** What to write once ownership is settled, in the same transaction: the voucher logged before, if any. */
    private interface Log {
        Optional<VoucherLog.Issued> write(java.sql.Connection c) throws SQLException;
    }

    /**
     * Ownership: the domain of the request owns the serial, or may claim it; then the voucher's log row,
     * in the same transaction.
     */
    private Optional<VoucherLog.Issued> claimAndLog(RegistrarRequests.Checked request, String domainId, Log voucherLog)
            throws Rejection, SQLException {
        for (int attempt = 0;; attempt++) {
            try {
                Outcome outcome = log.database().transaction(c -> {
                    Optional<VoucherLog.Claim> claim = log.claim(c, request.serial());
                    // the owner is the domain CA's public key, compared in full: a CA that copies the owner's
                    // subject key identifier (public in its cacerts) is another domain
                    if (claim.isPresent() && !owns(claim.get(), request.domain())) {
                        // who owns it is the owner's business: the log says, the answer does not
                        LOG.warn("C.5 serial {} belongs to domain {} (since {}), not to {}", request.serial(),
                                Names.display(claim.get().domainCert().getSubjectX500Principal()), claim.get().claimedAt(),
                                Names.display(request.domain().getSubjectX500Principal()));
                        return Outcome.refused(new Rejection(403, "serial " + request.serial() + " belongs to another "
                                + "domain, not to " + Names.display(request.domain().getSubjectX500Principal())));
                    }
                    if (claim.isEmpty()) {
                        if (settings.ownership() == Ownership.RECORDS) {
                            return Outcome.refused(new Rejection(404, "serial " + request.serial()
                                    + " has no ownership record at this MASA"));
                        }
                        log.insertClaim(c, request.serial(), domainId, request.domain(), "first-claim");
                        LOG.warn("C.5 first claim: serial {} now belongs to domain {} ({})", request.serial(),
                                Names.display(request.domain().getSubjectX500Principal()), domainId);
                    }
                    return new Outcome(null, voucherLog.write(c));
                });
                if (outcome.refused() != null) {
                    throw outcome.refused();
                }
                return outcome.logged();
            } catch (SQLException e) {
                // another instance claimed the serial, or logged this very request, at the same moment: decide
                // again on its rows
                if (!Database.UNIQUE_VIOLATION.equals(e.getSQLState()) || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /** What the transaction decided: a refusal, or the voucher logged before (empty: the new one is logged). */
    private record Outcome(Rejection refused, Optional<VoucherLog.Issued> logged) {
        static Outcome refused(Rejection r) {
            return new Outcome(r, Optional.empty());
        }
    }

    /** True when the domain of a request is the one a claim recorded: the same public key (SHA-256 of the SPKI). */
    private static boolean owns(VoucherLog.Claim claim, X509Certificate domain) {
        return DomainCerts.ownerKey(claim.domainCert()).equals(DomainCerts.ownerKey(domain));
    }

    /** RFC 8995 section 5.8: the vouchers issued for the serial, for its owner only. */
    private Reply requestAuditLog(Exchange ex) throws Rejection, SQLException {
        if (!ex.accepts("application/json")) {
            throw new Rejection(406, "the audit log is application/json, which Accept '" + ex.accept() + "' excludes");
        }
        RegistrarRequests.Checked request = check(ex, false);
        Optional<VoucherLog.Claim> claim = log.database().transaction(c -> log.claim(c, request.serial()));
        if (claim.isEmpty() || !owns(claim.get(), request.domain())) {
            throw new Rejection(403, "the audit log of serial " + request.serial() + " is for its owner only");
        }
        ObjectNode answer = json.createObjectNode().put("version", "1");
        ArrayNode events = answer.putArray("events");
        for (VoucherLog.Issued v : log.vouchers(request.serial())) {
            ObjectNode e = events.addObject();
            e.put("date", v.createdAt().withOffsetSameInstant(ZoneOffset.UTC).toString());
            e.put("domainID", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.domainId())));
            e.put("nonce", v.nonce());
            e.put("assertion", v.assertion());
            e.put("truncated", 0);
        }
        ObjectNode truncation = answer.putObject("truncation");
        truncation.put("nonced duplicates", 0).put("nonceless duplicates", 0).put("arbitrary", 0);
        return Reply.json(200, answer.toString());
    }

    /** The database, for the admin commands. */
    public static Admin admin(String jdbcUrl) throws SQLException {
        return new Admin(new VoucherLog(Database.open(jdbcUrl, "masa", VoucherLog.SCHEMA)));
    }

    /** Ownership records and the voucher log: what the manufacturer's staff do. */
    public static final class Admin implements AutoCloseable {
        private final VoucherLog log;

        Admin(VoucherLog log) {
            this.log = log;
        }

        /** Records that a domain (its CA certificate, the one its vouchers pin) owns the serials. */
        public int claim(List<String> serials, X509Certificate domainCa) throws SQLException {
            return log.assign(serials, HexFormat.of().formatHex(DomainCerts.domainId(domainCa)), domainCa);
        }

        public List<String> claims() throws SQLException {
            List<String> lines = new ArrayList<>();
            for (VoucherLog.Claim c : log.claims()) {
                lines.add(String.format("%-20s %-12s since %s: %s (domain %s)", c.serial(), c.source(), c.claimedAt(),
                        Names.display(c.domainCert().getSubjectX500Principal()), c.domainId()));
            }
            return lines;
        }

        /** One line per voucher issued, for a serial or for all. */
        public List<String> vouchers(String serial) throws SQLException {
            List<String> lines = new ArrayList<>();
            for (VoucherLog.Issued v : log.vouchers(serial)) {
                lines.add(String.format("%-20s %s %s nonce %s to %s from %s, expires %s", v.serial(), v.createdAt(),
                        v.assertion(), v.nonce(), v.registrar(), v.requestedFrom(), v.expiresAt()));
            }
            return lines;
        }

        /** The last voucher of a serial, DER. */
        public Optional<byte[]> lastVoucher(String serial) throws SQLException {
            List<VoucherLog.Issued> all = log.vouchers(serial);
            return all.isEmpty() ? Optional.empty() : Optional.of(Base64.getDecoder().decode(all.get(all.size() - 1).voucherBase64()));
        }

        @Override
        public void close() {
            log.database().close();
        }
    }
}
