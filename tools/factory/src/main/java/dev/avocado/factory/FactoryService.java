package dev.avocado.factory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.avocado.protocol.dpp.DppRecord;
import dev.avocado.protocol.dpp.DppUri;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.CsrPolicy;
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
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manufacturer's IDevID provisioning service: EST (RFC 7030) cacerts, csrattrs and simpleenroll for IDevIDs
 * under the MPR, and the record of each device's DPP URI (step O.d). The certificate is answered only
 * after its row is committed.
 */
public final class FactoryService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FactoryService.class);
    /** Step O.d: the device records its DPP URI, authenticated by its new IDevID. */
    public static final String RECORD = DppRecord.PATH;

    /**
     * How the service runs.
     *
     * @param masaUrl what IDevIDs carry as id-pe-masa-url
     * @param allowlistOnly issue only for serials of the production plan (allowed_serials)
     * @param stationCas when not empty, enrollment needs a TLS client certificate of a factory station
     *        issued by one of these
     */
    public record Settings(String bind, int port, String masaUrl, boolean allowlistOnly, List<X509Certificate> stationCas) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Pki.Credential ca;
    private final X509Certificate root;
    private final String manufacturer;
    private final DeviceRegistry registry;
    private final Settings settings;
    /** What it answered and issued: GET /metrics at --metrics. */
    private final ServerMetrics metrics = new ServerMetrics("factory");
    private final HttpsServer server;

    private FactoryService(Pki pki, Database db, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        this.ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        this.root = pki.root();
        this.manufacturer = pki.manufacturer();
        this.registry = new DeviceRegistry(db);
        this.settings = settings;
        Pki.Credential tls = pki.load(Pki.MANUFACTURER, Pki.FACTORY_TLS);
        // client certificates are checked by each route for its role (a station's at enrollment, the device's
        // IDevID at O.d), with the IDevID CA known here: a client may send its certificate alone
        HttpsServer.Builder routes = HttpsServer.builder("factory").metrics(metrics)
                .metricsListener(metricsAt == null ? null : metricsAt.bind(), metricsAt == null ? 0 : metricsAt.port())
                .bind(settings.bind(), settings.port())
                .tls(ServerTls.configured().anyClient(new TlsContexts.Credential(tls.key(), tls.withChain())), HttpsServer.ClientAuth.WANT)
                .maxBody(16 * 1024)
                .unavailable("the device database", java.time.Duration.ofSeconds(2))
                .route("GET", Est.CACERTS, "O.3", this::cacerts)
                .route("GET", Est.CSRATTRS, "O.3", this::csrattrs)
                .route("POST", Est.SIMPLEENROLL, "O.4", this::simpleenroll)
                .route("POST", Est.SIMPLEREENROLL, "O.4", this::simplereenroll)
                .route("POST", RECORD, "O.d", this::record);
        this.server = new FactoryConsole(registry, !settings.allowlistOnly()).routes(routes).start();
    }

    /** Opens the database (creating or migrating its schema) and starts serving. */
    public static FactoryService start(Pki pki, String jdbcUrl, Settings settings) throws Exception {
        return start(pki, jdbcUrl, settings, null);
    }

    /** The same, with {@code GET /metrics} served at {@code metricsAt} (null: not served). */
    public static FactoryService start(Pki pki, String jdbcUrl, Settings settings, ServerMetrics.Listener metricsAt) throws Exception {
        ServerCrypto.install();
        return Database.serve(jdbcUrl, "factory", DeviceRegistry.SCHEMA, db -> new FactoryService(pki, db, settings, metricsAt));
    }

    public int port() {
        return server.port();
    }

    /** The port of GET /metrics, or -1 when it is not served. */
    public int metricsPort() {
        return server.metricsPort();
    }

    public String describe() {
        return "https://" + settings.bind() + ":" + port() + " (database " + registry.database().describe() + ")";
    }

    @Override
    public void close() throws Exception {
        server.close();
        registry.database().close();
    }

    private Reply cacerts(Exchange ex) {
        return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(ca.certificate(), root)));
    }

    /** What the CSR must be (RFC 7030 4.5): a subject serialNumber, an EC P-256 key, ECDSA with SHA-256. */
    private Reply csrattrs(Exchange ex) {
        return Reply.est(Est.CSRATTRS_TYPE, Est.csrattrsEcP256());
    }

    /**
     * An IDevID is not renewed (IEEE 802.1AR: it lives as long as the device, notAfter 99991231235959Z);
     * a device that needs another is wiped, its IDevID revoked here, and it enrolls again.
     */
    private Reply simplereenroll(Exchange ex) {
        return Reply.text(501, "the factory does not renew IDevIDs (IEEE 802.1AR: an IDevID lives as long as the device); "
                + "revoke the live IDevID (factory revoke SERIAL) and enroll again with simpleenroll");
    }

    /** The issued certificate only (RFC 7030 4.2.3); its CA is in cacerts. */
    private Reply simpleenroll(Exchange ex) throws Rejection, SQLException {
        return Reply.est(Est.CERTS_ONLY, Est.certsOnly(List.of(enroll(ex))));
    }

    /** O.4 to O.6: checks, issues, commits, and only then answers. */
    private X509Certificate enroll(Exchange ex) throws Rejection, SQLException {
        if (!settings.stationCas().isEmpty() && !CertPaths.issuedUnder(ex.clientChain(), settings.stationCas())) {
            throw new Rejection(403, "enrollment needs a factory station's TLS client certificate");
        }
        CsrPolicy.Accepted accepted = CsrPolicy.check(ex);
        String serial = accepted.serial();
        String keyHash = DeviceRegistry.keySha256(accepted.publicKey());
        // issued before the transaction (the CA signature is the slow part); stored only if it commits
        X509Certificate issued = IdevidProfile.issue(ca.certificate(), ca.key(), null,
                IdevidProfile.fixedSubject(manufacturer, serial), accepted.publicKey(), settings.masaUrl(),
                Instant.now().minusSeconds(300));
        for (int attempt = 0;; attempt++) {
            try {
                X509Certificate answer = registry.database().transaction(c -> {
                    if (settings.allowlistOnly() && !registry.allowed(c, serial)) {
                        throw new Rejection.InTransaction(new Rejection(403, "serial " + serial
                                + " is not in the production plan (allowed serials)"));
                    }
                    Optional<DeviceRegistry.Device> live = registry.live(c, serial);
                    if (live.isPresent()) {
                        return sameKeyOrReject(live.get(), keyHash, serial);
                    }
                    registry.insertLive(c, serial, issued, ex.remoteAddress());
                    return issued;
                });
                if (answer == issued) {
                    metrics.issued("idevid");
                    LOG.info("O.6 issued IDevID {} for serial {} to {}", issued.getSerialNumber().toString(16), serial,
                            ex.remoteAddress());
                }
                return answer;
            } catch (Rejection.InTransaction r) {
                throw forTheCaller(r.rejection(), serial, ex);
            } catch (SQLException e) {
                // another instance committed a live IDevID for this serial first: decide again on its row
                if (!Database.UNIQUE_VIOLATION.equals(e.getSQLState()) || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /**
     * What a caller learns of a serial it may not have: a factory station (authenticated by its
     * certificate) the reason; anyone else one answer for "not planned" and "taken", so that nobody
     * can map which serials exist. The log keeps the reason.
     */
    private Rejection forTheCaller(Rejection detail, String serial, Exchange ex) {
        if (!settings.stationCas().isEmpty()) {
            return detail;
        }
        LOG.info("O.4 refused serial {} to {}: {}", serial, ex.remoteAddress(), detail.getMessage());
        return new Rejection(403, "serial " + serial + " cannot be given an IDevID here: it is not in the production "
                + "plan, or it has a live IDevID for another key (a factory station's certificate gets the reason)");
    }

    /** The same key asking again (its answer was lost) gets the same IDevID; another key is refused. */
    private static X509Certificate sameKeyOrReject(DeviceRegistry.Device live, String keyHash, String serial) {
        if (live.keySha256().equals(keyHash)) {
            return live.certificate();
        }
        throw new Rejection.InTransaction(new Rejection(409, "serial " + serial + " has a live IDevID (issued "
                + live.issuedAt() + ") for another key; revoke it first"));
    }

    /** O.d: {"serial": ..., "dpp-uri": ...}, over TLS authenticated by the device's IDevID. */
    private Reply record(Exchange ex) throws Rejection, SQLException {
        if (ex.clientChain().isEmpty()) {
            throw new Rejection(401, "recording needs the device's IDevID as TLS client certificate");
        }
        X509Certificate idevid = ex.clientChain().get(0);
        String serial;
        try {
            serial = IdevidProfile.check(List.of(idevid, ca.certificate()), List.of(root), Instant.now()).serialNumber();
        } catch (ProfileException e) {
            throw new Rejection(403, "the TLS client certificate is not an IDevID of this manufacturer: " + e.getMessage());
        }
        if (!"application/json".equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type application/json, got '" + ex.contentType() + "'");
        }
        JsonNode body;
        try {
            body = json.readTree(ex.body());
        } catch (IOException e) {
            throw new Rejection(400, "the body is not JSON: " + e.getMessage());
        }
        String claimed = body.path(DppRecord.SERIAL).asText(null);
        String dpp = body.path(DppRecord.DPP_URI).asText(null);
        if (claimed == null || dpp == null) {
            throw new Rejection(400, "the body needs \"serial\" and \"dpp-uri\"");
        }
        if (!claimed.equals(serial)) {
            throw new Rejection(403, "serial " + claimed + " is not the serial of the IDevID presented (" + serial + ")");
        }
        DppUri uri;
        try {
            uri = DppUri.parse(dpp);
        } catch (IllegalArgumentException e) {
            throw new Rejection(400, e.getMessage());
        }
        if (!uri.publicKey().equals(idevid.getPublicKey())) {
            throw new Rejection(400, "the DPP URI's key (K:) is not the IDevID's key");
        }
        String keyHash = DeviceRegistry.keySha256(idevid.getPublicKey());
        boolean recorded = registry.database().transaction(c -> {
            Optional<DeviceRegistry.Device> live = registry.live(c, serial);
            if (live.isEmpty() || !live.get().keySha256().equals(keyHash)) {
                return false;
            }
            return registry.record(c, live.get().id(), dpp);
        });
        if (!recorded) {
            throw new Rejection(404, "serial " + serial + " has no live IDevID with this key");
        }
        LOG.info("O.d recorded DPP URI of serial {}", serial);
        ObjectNode answer = json.createObjectNode().put("serial", serial).put("status", "recorded");
        return Reply.json(200, answer.toString());
    }

    /** The registry, for the admin commands. */
    public static Admin admin(String jdbcUrl) throws SQLException {
        return new Admin(new DeviceRegistry(Database.open(jdbcUrl, "factory", DeviceRegistry.SCHEMA)));
    }

    /** List devices, allow serials, revoke: what the manufacturer's staff do. */
    public static final class Admin implements AutoCloseable {
        private final DeviceRegistry registry;

        Admin(DeviceRegistry registry) {
            this.registry = registry;
        }

        /** One line per IDevID issued. */
        public List<String> devices() throws SQLException {
            List<String> lines = new ArrayList<>();
            for (DeviceRegistry.Device d : registry.all()) {
                lines.add(String.format("%-20s %-8s issued %s to %s; %s; DPP %s", d.serial(), d.status(), d.issuedAt(),
                        d.requestedFrom(), Names.display(d.certificate().getSubjectX500Principal()),
                        d.dppUri() == null ? "not recorded" : d.dppUri()));
            }
            return lines;
        }

        public int allow(List<String> serials) throws SQLException, ProfileException {
            for (String s : serials) {
                IdevidProfile.checkSerial(s);
            }
            return registry.allow(serials);
        }

        public boolean revoke(String serial, String reason) throws SQLException {
            return registry.revoke(serial, reason);
        }

        /** Sets the console's admin password (ending every console session). */
        public void consolePassword(char[] password) throws SQLException {
            new dev.avocado.server.ConsoleAuth(registry.database(), "factory", "factory console-password").setPassword(password);
        }

        @Override
        public void close() {
            registry.database().close();
        }
    }
}
