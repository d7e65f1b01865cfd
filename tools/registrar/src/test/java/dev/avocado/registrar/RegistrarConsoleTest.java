package dev.avocado.registrar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avocado.masa.MasaService;
import dev.avocado.protocol.brski.PledgeSession;
import dev.avocado.protocol.tls.TlsContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The owner's console over real TLS, as a browser's requests reach it and as an attacker's would: no
 * session, a wrong password, a sign-in or an approval from another site's page, an approval without
 * the session's request token, an approval of a pledge that is not pending. Each is refused with its
 * reason, and nothing changes; the owner's approval lets the pledge have its voucher, a refusal turns it
 * away. (The page itself, in Chromium, is ConsoleBrowserTest's.)
 */
public class RegistrarConsoleTest {

    private static final String PASSWORD = "owner-console-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Parties parties;
    private HttpClient http;
    private String origin;

    @Before
    public void start() throws Exception {
        parties = new Parties(tmp.getRoot().toPath()).start(RegistrarService.Approval.MANUAL, MasaService.Ownership.FIRST_CLAIM);
        // as a browser that trusts the owner's domain CA
        http = HttpClient.newBuilder().sslContext(TlsContexts.create(List.of(parties.pki.domainCa()), null)).build();
        origin = "https://127.0.0.1:" + parties.registrar.port();
    }

    @After
    public void stop() throws Exception {
        parties.close();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json, String cookie, String from, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (from != null) {
            b.header("Origin", from);
        }
        if (token != null) {
            b.header("X-Avocado-Request-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAnswer(int status, String says, HttpResponse<String> r) {
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.body(), r.body().contains(says));
    }

    /** A signed-in session: its cookie (name=value) and request token. */
    private record Session(String cookie, String token) {
    }

    private Session signIn() throws Exception {
        HttpResponse<String> r = post("/console/api/sign-in", "{\"password\":\"" + PASSWORD + "\"}", null, origin, null);
        assertEquals(r.body(), 200, r.statusCode());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie, setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Strict")
                && setCookie.contains("Path=/console"));
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), JSON.readTree(r.body()).get("requestToken").asText());
    }

    private JsonNode pledge(Session s, String serial) throws Exception {
        HttpResponse<String> r = get("/console/api/pledges", s.cookie());
        assertEquals(r.body(), 200, r.statusCode());
        for (JsonNode p : JSON.readTree(r.body()).get("pledges")) {
            if (p.get("serial").asText().equals(serial)) {
                return p;
            }
        }
        throw new AssertionError("no pledge " + serial + " in " + r.body());
    }

    private PledgeSession pledgeAsks(Parties.Device d, String nonce) throws Exception {
        PledgeSession s = new PledgeSession(parties.registrarUri(), d.credential(), d.serial(), parties.trust(),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
        s.connect();
        PledgeSession.RegistrarAnswer held = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> s.requestVoucher(s.voucherRequest(nonce)));
        assertEquals(held.getMessage(), 202, held.status());
        return s;
    }

    @Test
    public void theConsoleLetsNobodyInBeforeAPasswordIsSetAndOnlyItsHolderAfter() throws Exception {
        HttpResponse<String> page = get("/console", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body(), page.body().contains("Registrar console"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp, csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assertAnswer(401, "sign in first: no console session", get("/console/api/pledges", null));
        assertTrue(get("/console/api/pledges", null).headers().firstValue("Content-Security-Policy").isPresent());
        assertAnswer(403, "the console has no admin password yet; set one on the server with 'registrar console-password'",
                post("/console/api/sign-in", "{\"password\":\"" + PASSWORD + "\"}", null, origin, null));

        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertThrows(IllegalArgumentException.class, () -> admin.consolePassword("too-short".toCharArray()));
            admin.consolePassword(PASSWORD.toCharArray());
        }
        assertAnswer(401, "wrong password", post("/console/api/sign-in", "{\"password\":\"owner-console-passwore\"}", null, origin,
                null));
        // a page of another site signing the owner's browser into a session of the attacker's (login CSRF)
        assertAnswer(403, "refused: the request comes from the page of https://evil.example, not from this console",
                post("/console/api/sign-in", "{\"password\":\"" + PASSWORD + "\"}", null, "https://evil.example", null));
        assertAnswer(401, "not known", get("/console/api/pledges", "avocado-console=made-up-token"));
        Session s = signIn();
        assertEquals(200, get("/console/api/pledges", s.cookie()).statusCode());
        // a session past its 8 hours is refused (its row made older, as time would)
        Session old = signIn();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(parties.registrarDb);
                java.sql.PreparedStatement u = c.prepareStatement("UPDATE registrar_console_sessions SET expires_at = ? "
                        + "WHERE request_token = ?")) {
            u.setObject(1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1));
            u.setString(2, old.token());
            assertEquals(1, u.executeUpdate());
        }
        assertAnswer(401, "sign in again: the console session expired at", get("/console/api/pledges", old.cookie()));
        assertEquals(200, get("/console/api/pledges", s.cookie()).statusCode());
        // a new password signs everyone out
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            admin.consolePassword((PASSWORD + "-2").toCharArray());
        }
        assertAnswer(401, "sign in again: the console session is not known", get("/console/api/pledges", s.cookie()));
    }

    @Test
    public void aForgedApprovalChangesNothingAndTheOwnersApprovalGivesTheVoucher() throws Exception {
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            admin.consolePassword(PASSWORD.toCharArray());
        }
        Parties.Device d = parties.device("SN-CON-1");
        PledgeSession pledge = pledgeAsks(d, "bm9uY2UtY29uc29sZS0x");
        Session s = signIn();
        JsonNode p = pledge(s, "SN-CON-1");
        assertEquals("pending", p.get("state").asText());
        assertEquals("Acme (IDevID from CN=Acme IDevID CA,O=Acme)", p.get("manufacturer").asText());
        String approve = "{\"serial\":\"SN-CON-1\"}";

        // a cross-site form or fetch: the browser may send the cookie, but not the request token, and says its origin
        assertAnswer(403, "not from this console", post("/console/api/approve", approve, s.cookie(), "https://evil.example",
                s.token()));
        assertAnswer(403, "does not say its origin", post("/console/api/approve", approve, s.cookie(), null, s.token()));
        assertAnswer(403, "does not carry this session's request token", post("/console/api/approve", approve, s.cookie(), origin,
                null));
        assertAnswer(403, "does not carry this session's request token", post("/console/api/approve", approve, s.cookie(), origin,
                "guessed"));
        assertAnswer(401, "no console session", post("/console/api/approve", approve, null, origin, s.token()));
        assertAnswer(400, "no text field 'serial'", post("/console/api/approve", "{\"serial\":7}", s.cookie(), origin, s.token()));
        assertAnswer(404, "no pledge with serial SN-NOBODY", post("/console/api/approve", "{\"serial\":\"SN-NOBODY\"}", s.cookie(),
                origin, s.token()));
        assertEquals("pending", pledge(s, "SN-CON-1").get("state").asText());
        PledgeSession.RegistrarAnswer still = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> pledge.requestVoucher(pledge.voucherRequest("bm9uY2UtY29uc29sZS0y")));
        assertEquals(202, still.status());
        assertEquals(0, rows("vouchers"));

        assertAnswer(200, "serial SN-CON-1 approved", post("/console/api/approve", approve, s.cookie(), origin, s.token()));
        assertEquals("approved", pledge(s, "SN-CON-1").get("state").asText());
        // approved is not pending: a second approval, or a refusal now, is refused and changes nothing
        assertAnswer(409, "serial SN-CON-1 is not pending: it is approved; nothing changed",
                post("/console/api/approve", approve, s.cookie(), origin, s.token()));
        assertAnswer(409, "is not pending", post("/console/api/refuse", approve, s.cookie(), origin, s.token()));

        String nonce = "bm9uY2UtY29uc29sZS0z";
        byte[] voucher = pledge.requestVoucher(pledge.voucherRequest(nonce));
        assertNotNull(pledge.acceptVoucher(voucher, nonce, Instant.now()));
        JsonNode after = pledge(s, "SN-CON-1");
        assertEquals("voucher", after.get("state").asText());
        assertEquals("logged", after.get("voucher").get("assertion").asText());
        assertTrue(after.toString(), Instant.parse(after.get("voucher").get("expiresOn").asText()).isAfter(Instant.now()));
        assertEquals(1, rows("vouchers"));
    }

    @Test
    public void aPledgeTheOwnerRefusedIsTurnedAwayUntilApprovedOnTheCommandLine() throws Exception {
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            admin.consolePassword(PASSWORD.toCharArray());
        }
        Parties.Device d = parties.device("SN-CON-2");
        PledgeSession pledge = pledgeAsks(d, "bm9uY2UtY29uc29sZS00");
        Session s = signIn();
        assertAnswer(200, "serial SN-CON-2 refused", post("/console/api/refuse", "{\"serial\":\"SN-CON-2\"}", s.cookie(), origin,
                s.token()));
        PledgeSession.RegistrarAnswer refused = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> pledge.requestVoucher(pledge.voucherRequest("bm9uY2UtY29uc29sZS01")));
        assertEquals(refused.getMessage(), 403, refused.status());
        assertTrue(refused.getMessage(), refused.getMessage().contains("serial SN-CON-2 was refused by this registrar's owner"));
        JsonNode p = pledge(s, "SN-CON-2");
        assertEquals("refused", p.get("state").asText());
        assertTrue(p.toString(), p.get("reason").asText().contains("refused by the owner in the console"));
        assertEquals(0, rows("vouchers"));
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            assertEquals(1, admin.approve(List.of("SN-CON-2")));
        }
        String nonce = "bm9uY2UtY29uc29sZS02";
        assertNotNull(pledge.acceptVoucher(pledge.requestVoucher(pledge.voucherRequest(nonce)), nonce, Instant.now()));
    }

    /** Only the owner's refusal holds: a pledge an allowlist refused before is pending once approval is manual. */
    @Test
    public void aPledgeAnAllowlistRefusedWaitsForTheOwnerWhenApprovalTurnsManual() throws Exception {
        parties.registrar.close();
        parties.startRegistrar(RegistrarService.Approval.ALLOWLIST, Duration.ofDays(365));
        Parties.Device d = parties.device("SN-CON-3");
        PledgeSession s = new PledgeSession(parties.registrarUri(), d.credential(), d.serial(), parties.trust(),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
        s.connect();
        PledgeSession.RegistrarAnswer refused = assertThrows(PledgeSession.RegistrarAnswer.class,
                () -> s.requestVoucher(s.voucherRequest("bm9uY2UtY29uc29sZS03")));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage(), refused.getMessage().contains("is not on this registrar's allowlist"));
        parties.registrar.close();
        parties.startRegistrar(RegistrarService.Approval.MANUAL, Duration.ofDays(365));
        origin = "https://127.0.0.1:" + parties.registrar.port();
        pledgeAsks(d, "bm9uY2UtY29uc29sZS04");
    }

    private long rows(String table) throws Exception {
        try (RegistrarService.Admin admin = RegistrarService.admin(parties.registrarDb)) {
            return admin.count(table);
        }
    }
}
