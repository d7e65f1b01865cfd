package dev.avocado.registrar;

import dev.avocado.protocol.io.Printable;
import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.DomainCerts;
import dev.avocado.protocol.brski.PledgeRequests;
import dev.avocado.protocol.brski.RegistrarRequests;
import dev.avocado.protocol.brski.StatusReport;
import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;
import dev.avocado.protocol.http.HttpsClient;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.LdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.CsrPolicy;
import dev.avocado.server.Database;
import dev.avocado.server.HttpsServer;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import dev.avocado.server.Pki;
import dev.avocado.server.Rejection;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
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
    private final Pki.Credential signer;
    private final Pki.Credential domainCa;
    private final String owner;
    private final PledgeRegistry registry;
    private final Settings settings;
    private final TlsContexts.Credential tlsCredential;
    /** C.4 clients, one per manufacturer and MASA host: each trusts only that manufacturer's MASA TLS role. */
    private final Map<MasaKey, HttpsClient> masaClients = new ConcurrentHashMap<>();

    /** A MASA as the registrar reaches it: the pledge's manufacturer (by identity) and the host. */
    private record MasaKey(ManufacturerTrust manufacturer, String host) {
    }
    private final HttpsServer server;
    private final DnsSdAnnouncer announcer;

    private RegistrarService(Pki pki, Database db, Settings settings) throws Exception {
        this.domainCa = pki.load(Pki.OWNER, Pki.DOMAIN_CA);
        Pki.Credential t = pki.load(Pki.OWNER, Pki.REGISTRAR_TLS);
        this.tls = new Pki.Credential(t.certificate(), t.key(), List.of(domainCa.certificate()));
        Pki.Credential s = pki.load(Pki.OWNER, Pki.REGISTRAR);
        this.signer = new Pki.Credential(s.certificate(), s.key(), List.of(domainCa.certificate()));
        this.owner = pki.owner();
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
        this.tlsCredential = new TlsContexts.Credential(tls.key(), tls.withChain());
        this.server = HttpsServer.builder("registrar")
                .bind(settings.bind(), settings.port())
                .tls(TlsContexts.anyClient(new TlsContexts.Credential(tls.key(), tls.withChain())), HttpsServer.ClientAuth.WANT)
                .maxBody(32 * 1024)
                .route("POST", Brski.REQUEST_VOUCHER, this::requestVoucher)
                .route("POST", Brski.VOUCHER_STATUS, ex -> report(ex, "voucher"))
                .route("POST", Brski.ENROLL_STATUS, ex -> report(ex, "enroll"))
                .route("GET", Est.CACERTS, this::cacerts)
                .route("GET", Est.CSRATTRS, this::csrattrs)
                .route("POST", Est.SIMPLEENROLL, ex -> enroll(ex, false))
                .route("POST", Est.SIMPLEREENROLL, ex -> enroll(ex, true))
                .start();
        this.announcer = settings.dnsSd() ? DnsSdAnnouncer.announce(settings.bind(), server.port(), owner) : null;
    }

    /** Opens the database (creating or migrating its schema) and starts serving. */
    public static RegistrarService start(Pki pki, String jdbcUrl, Settings settings) throws Exception {
        return Database.serve(jdbcUrl, "registrar", PledgeRegistry.SCHEMA, db -> new RegistrarService(pki, db, settings));
    }

    public int port() {
        return server.port();
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

    private Reply requestVoucher(Exchange ex) {
        try {
            PledgeId pledge = pledgeIdevid(ex);
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
            Optional<Reply> held = approval(serial, idevid.certificate(), ex.remoteAddress());
            if (held.isPresent()) {
                return held.get();
            }
            byte[] voucher = askMasa(pledge, request, ex.body());
            registry.database().transaction(c -> {
                registry.voucher(c, serial, idevid.certificate(), request.voucher().nonce(), Base64.getEncoder().encodeToString(voucher));
                registry.status(c, serial, PledgeRegistry.Status.VOUCHER, "voucher delivered");
                return null;
            });
            LOG.info("C.9 voucher for serial {} returned to the pledge", serial);
            return Reply.of(200, VoucherCms.MEDIA_TYPE, voucher);
        } catch (Rejection r) {
            LOG.info("refused a voucher request from {}: {}", ex.remoteAddress(), Printable.of(r.getMessage()));
            Reply reply = r.reply();
            return r.status() == 202 || r.status() == 503 ? reply.header("Retry-After",
                    Long.toString(settings.retryAfter().toSeconds())) : reply;
        } catch (SQLException e) {
            LOG.error("database failure on a voucher request", e);
            return Reply.text(503, "the registrar database is not available; try again")
                    .header("Retry-After", Long.toString(settings.retryAfter().toSeconds()));
        }
    }

    /** A pledge's IDevID and the manufacturer whose root it chains to. */
    record PledgeId(IdevidProfile.Idevid idevid, ManufacturerTrust manufacturer) {
    }

    /** The pledge's TLS client certificate as an IDevID of a manufacturer this registrar trusts. */
    private PledgeId pledgeIdevid(Exchange ex) throws Rejection {
        if (ex.clientChain().isEmpty()) {
            throw new Rejection(401, "this needs the pledge's IDevID as TLS client certificate");
        }
        ProfileException last = null;
        for (ManufacturerTrust m : settings.manufacturers()) {
            try {
                return new PledgeId(IdevidProfile.check(ex.clientChain(), m, Instant.now()), m);
            } catch (ProfileException e) {
                last = e;
            }
        }
        throw new Rejection(403, "the TLS client certificate is not an IDevID of a manufacturer this registrar "
                + "trusts: " + (last == null ? "no manufacturer is configured" : last.getMessage()));
    }

    /** The approval policy: empty when the pledge may go on, else the answer that holds it. */
    private Optional<Reply> approval(String serial, X509Certificate idevid, String remote) throws SQLException {
        return registry.database().transaction(c -> {
            Optional<PledgeRegistry.Pledge> known = registry.pledge(c, serial);
            boolean approved = switch (settings.approval()) {
                case AUTO -> true;
                case ALLOWLIST, MANUAL -> registry.allowed(c, serial) || known.map(PledgeRegistry.Pledge::approved).orElse(false);
            };
            if (approved) {
                registry.seen(c, serial, idevid, known.map(PledgeRegistry.Pledge::status).orElse(PledgeRegistry.Status.PENDING),
                        true, remote, "approved; asking the MASA");
                return Optional.empty();
            }
            if (settings.approval() == Approval.ALLOWLIST) {
                String why = "serial " + serial + " is not on this registrar's allowlist (registrar allow " + serial + ")";
                registry.seen(c, serial, idevid, PledgeRegistry.Status.REFUSED, false, remote, why);
                LOG.info("C.3 refused serial {}: not on the allowlist", serial);
                return Optional.of(Reply.text(403, why));
            }
            String why = "serial " + serial + " waits for the owner's approval (registrar approve " + serial + ")";
            registry.seen(c, serial, idevid, PledgeRegistry.Status.PENDING, false, remote, why);
            LOG.info("C.3 serial {} waits for approval", serial);
            return Optional.of(Reply.text(202, why).header("Retry-After", Long.toString(settings.retryAfter().toSeconds())));
        });
    }

    /** C.4 to C.8: the registrar request to the MASA, and its voucher checked. */
    private byte[] askMasa(PledgeId pledge, VoucherCms.Signed request, byte[] requestCms) throws Rejection {
        IdevidProfile.Idevid idevid = pledge.idevid();
        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), request.voucher(), requestCms, idevid.certificate());
        byte[] signed;
        try {
            signed = VoucherCms.sign(rvr, signer.key(), null, signer.withChain());
        } catch (VoucherException e) {
            throw new IllegalStateException("the registrar cannot sign: " + e.getMessage(), e);
        }
        URI uri = URI.create(idevid.masaBase() + Brski.REQUEST_VOUCHER.substring(Brski.PATH.length()));
        HttpsClient.Response r;
        try {
            LOG.info("C.4 registrar voucher request for serial {} to {}", idevid.serialNumber(), uri);
            r = masaClient(pledge.manufacturer(), uri.getHost()).post(uri, VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE, signed);
        } catch (IOException e) {
            throw new Rejection(503, "the MASA at " + uri + " cannot be reached: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection(503, "the registrar is stopping");
        }
        if (r.status() >= 500) {
            throw new Rejection(503, "the MASA at " + uri + " answered HTTP " + r.status() + ": " + r.text());
        }
        if (r.status() != 200) {
            throw new Rejection(403, "the MASA refused the voucher (HTTP " + r.status() + "): " + r.text());
        }
        if (!VoucherCms.MEDIA_TYPE.equals(r.mediaType())) {
            throw new Rejection(502, "the MASA answered " + r.contentType() + ", not " + VoucherCms.MEDIA_TYPE);
        }
        try {
            // the MASA signer role of the pledge's own manufacturer: not another manufacturer's, not an IDevID
            VoucherCms.Signed voucher = Vouchers.verify(r.body(), pledge.manufacturer(), Instant.now());
            X509Certificate pinned = Vouchers.check(voucher, idevid.serialNumber(), request.voucher().nonce(), Instant.now());
            // the pledge's D.0 rule: the voucher must pin a certificate this registrar's TLS chain is in
            DomainCerts.checkInDomain(tls.withChain(), pinned, Instant.now());
            LOG.info("C.8 voucher for serial {} from {} verified: {}, pins {}", idevid.serialNumber(),
                    Names.display(voucher.signer().getSubjectX500Principal()), voucher.voucher().assertion(),
                    Names.display(pinned.getSubjectX500Principal()));
        } catch (VoucherException e) {
            throw new Rejection(502, "C.8: the MASA's voucher does not pass: " + e.getMessage());
        }
        return r.body();
    }

    /** TLS to a MASA in the manufacturer TLS server role of the pledge's manufacturer, named by the host. */
    private HttpsClient masaClient(ManufacturerTrust manufacturer, String host) throws Rejection {
        MasaKey key = new MasaKey(manufacturer, host);
        try {
            return masaClients.computeIfAbsent(key, k -> {
                try {
                    return new HttpsClient(TlsContexts.manufacturerServer(manufacturer, host, tlsCredential),
                            Duration.ofSeconds(5), Duration.ofSeconds(30));
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (IllegalStateException e) {
            throw new Rejection(503, "no TLS context for the MASA at " + host + ": " + e.getMessage());
        }
    }

    // --- status reports

    private Reply report(Exchange ex, String kind) {
        try {
            String serial = deviceSerial(ex);
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
        } catch (Rejection r) {
            return r.reply();
        } catch (SQLException e) {
            LOG.error("database failure on a status report", e);
            return Reply.text(503, "the registrar database is not available; try again");
        }
    }

    /** The serial of the TLS client: an IDevID of a trusted manufacturer or an LDevID of this domain. */
    private String deviceSerial(Exchange ex) throws Rejection {
        if (ex.clientChain().isEmpty()) {
            throw new Rejection(401, "this needs the device's IDevID or LDevID as TLS client certificate");
        }
        if (CertPaths.issuedUnder(ex.clientChain(), List.of(domainCa.certificate()))) {
            return Names.serialNumber(ex.clientChain().get(0)).orElseThrow(() -> new Rejection(403,
                    "the LDevID has no serialNumber"));
        }
        return pledgeIdevid(ex).idevid().serialNumber();
    }

    // --- EST

    private Reply cacerts(Exchange ex) {
        return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(domainCa.certificate())));
    }

    /** What the LDevID CSR must be: an EC P-256 key signed with ECDSA SHA-256. */
    private Reply csrattrs(Exchange ex) {
        return Reply.est(Est.CSRATTRS_TYPE, Est.csrattrsEcP256());
    }

    /**
     * D.4 and D.5: enrollment by the IDevID certificate that was handed a voucher here (not by a serial
     * string, not by an LDevID), re-enrollment by the current LDevID.
     */
    private Reply enroll(Exchange ex, boolean renewal) {
        try {
            PledgeId pledge = renewal ? null : idevidWithVoucher(ex);
            X509Certificate idevid = pledge == null ? null : pledge.idevid().certificate();
            String serial = renewal ? currentLdevidSerial(ex) : pledge.idevid().serialNumber();
            String maker = pledge == null ? null : PledgeRegistry.manufacturer(pledge.manufacturer());
            if (!Est.PKCS10.equals(ex.mediaType())) {
                throw new Rejection(415, "expected Content-Type application/pkcs10, got '" + ex.contentType() + "'");
            }
            PKCS10CertificationRequest csr;
            try {
                csr = Est.parseCsr(ex.body());
            } catch (EstException e) {
                throw new Rejection(400, e.getMessage());
            }
            CsrPolicy.Accepted accepted = CsrPolicy.check(csr);
            if (!accepted.serial().equals(serial)) {
                throw new Rejection(403, "the CSR is for serial " + accepted.serial() + " but the TLS client is serial " + serial);
            }
            Instant now = Instant.now();
            X509Certificate ldevid = LdevidProfile.issue(domainCa.certificate(), domainCa.key(),
                    LdevidProfile.subject(owner, serial), accepted.publicKey(), now.minusSeconds(60),
                    now.plus(settings.ldevidValidity()));
            try {
                registry.database().transaction(c -> {
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
                    return null;
                });
            } catch (Rejection.InTransaction e) {
                throw e.rejection();
            } catch (SQLException e) {
                if (Database.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new Rejection(409, "serial " + serial + " was enrolled by another request at the same moment; ask again");
                }
                throw e;
            }
            LOG.info("D.5 LDevID {} issued to serial {} ({}), valid until {}", ldevid.getSerialNumber().toString(16), serial,
                    renewal ? "re-enrollment" : "enrollment", ldevid.getNotAfter().toInstant());
            return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(ldevid)));
        } catch (Rejection r) {
            LOG.info("D.4 refused {} from {}: {}", renewal ? "a re-enrollment" : "an enrollment", ex.remoteAddress(),
                    Printable.of(r.getMessage()));
            return r.reply();
        } catch (SQLException e) {
            LOG.error("database failure on enrollment", e);
            return Reply.text(503, "the registrar database is not available; try again");
        }
    }

    /**
     * simpleenroll: the TLS client certificate is an IDevID, and exactly that certificate was handed a
     * voucher here. An LDevID (current or replaced) is sent to simplereenroll; another device's IDevID
     * with the same serial string (another manufacturer's) has no voucher of its own.
     */
    private PledgeId idevidWithVoucher(Exchange ex) throws Rejection, SQLException {
        if (!ex.clientChain().isEmpty() && CertPaths.issuedUnder(ex.clientChain(), List.of(domainCa.certificate()))) {
            throw new Rejection(403, "simpleenroll takes the IDevID that received the voucher, not an LDevID; "
                    + "a current LDevID renews with simplereenroll");
        }
        PledgeId pledge = pledgeIdevid(ex);
        X509Certificate idevid = pledge.idevid().certificate();
        // the voucher row, not the pledge's status: approval and status reports come before any voucher
        if (!registry.database().transaction(c -> registry.hasVoucher(c, idevid))) {
            throw new Rejection(403, "the IDevID " + Names.display(idevid.getSubjectX500Principal()) + " issued by "
                    + Names.display(idevid.getIssuerX500Principal()) + " (certificate serial "
                    + idevid.getSerialNumber().toString(16) + ") has no voucher from this registrar; request a voucher first");
        }
        return pledge;
    }


    /** simplereenroll: the client authenticates with its current LDevID. */
    private String currentLdevidSerial(Exchange ex) throws Rejection, SQLException {
        if (ex.clientChain().isEmpty() || !CertPaths.issuedUnder(ex.clientChain(), List.of(domainCa.certificate()))) {
            throw new Rejection(403, "re-enrollment needs the device's current LDevID as TLS client certificate");
        }
        X509Certificate presented = ex.clientChain().get(0);
        String serial = Names.serialNumber(presented).orElseThrow(() -> new Rejection(403, "the LDevID has no serialNumber"));
        Optional<PledgeRegistry.Ldevid> live = registry.database().transaction(c -> registry.liveLdevid(c, serial));
        if (live.isEmpty() || !live.get().certificate().equals(presented)) {
            throw new Rejection(403, "the LDevID presented is not the current one of serial " + serial);
        }
        return serial;
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
