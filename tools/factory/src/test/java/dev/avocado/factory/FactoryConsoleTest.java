package dev.avocado.factory;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The manufacturer's console over real TLS: the device database searched by serial, a live IDevID
 * revoked (the serial then enrolls again), serials added to the production plan; a change from
 * another site's page, or without the session's request token, refused with nothing changed.
 */
public class FactoryConsoleTest {

    private static final String PASSWORD = "factory-console-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private String db;
    private FactoryService service;
    private HttpClient http;
    private String origin;
    private String cookie;
    private String token;

    @Before
    public void start() throws Exception {
        Pki pki = new Pki(tmp.newFolder("pki").toPath());
        pki.init("Acme", "https://127.0.0.1:8443", "masa.acme.test:8444");
        db = "jdbc:h2:file:" + tmp.getRoot().toPath().resolve("db/factory");
        service = FactoryService.start(pki, db, new FactoryService.Settings("127.0.0.1", 0, "masa.acme.test:8444", true, List.of()));
        http = Clients.client(pki.root(), null);
        origin = "https://127.0.0.1:" + service.port();
        try (FactoryService.Admin admin = FactoryService.admin(db)) {
            admin.consolePassword(PASSWORD.toCharArray());
            admin.allow(List.of("SN-F-1", "SN-F-2", "SN-G_1"));
        }
        HttpResponse<String> in = post("/console/api/sign-in", "{\"password\":\"" + PASSWORD + "\"}", origin, null);
        assertEquals(in.body(), 200, in.statusCode());
        String set = in.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = set.substring(0, set.indexOf(';'));
        token = JSON.readTree(in.body()).get("requestToken").asText();
    }

    @After
    public void stop() throws Exception {
        service.close();
    }

    private HttpResponse<String> post(String path, String json, String from, String requestToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (from != null) {
            b.header("Origin", from);
        }
        if (requestToken != null) {
            b.header("X-Avocado-Request-Token", requestToken);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode devices(String serial) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(origin + "/console/api/devices?serial="
                + URLEncoder.encode(serial, StandardCharsets.UTF_8))).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        return JSON.readTree(r.body());
    }

    private void enroll(String serial, int expected) throws Exception {
        HttpResponse<byte[]> r = Clients.post(http, URI.create(origin + Est.SIMPLEENROLL), Est.PKCS10,
                Clients.enrollBody("SERIALNUMBER=" + serial, KeyPairs.ecP256()));
        assertEquals(new String(r.body()), expected, r.statusCode());
    }

    @Test
    public void theManufacturerSearchesRevokesAndPlansAndAForgedChangeDoesNothing() throws Exception {
        enroll("SN-F-1", 200);
        enroll("SN-F-2", 200);
        enroll("SN-G_1", 200);
        enroll("SN-H-1", 403); // not in the plan
        JsonNode found = devices("F-");
        assertEquals(found.toString(), 2, found.get("devices").size());
        assertEquals("SN-F-2", found.get("devices").get(0).get("serial").asText());
        assertEquals("live", found.get("devices").get(0).get("status").asText());
        // a search for "_" is for the character, not any character
        assertEquals(List.of("SN-G_1"), List.of(devices("_").get("allowed").get(0).asText()));
        assertEquals(1, devices("G_").get("devices").size());
        assertEquals(0, devices("F_").get("devices").size());

        String revoke = "{\"serial\":\"SN-F-1\",\"reason\":\"returned by the buyer\"}";
        HttpResponse<String> forged = post("/console/api/revoke", revoke, "https://evil.example", token);
        assertEquals(forged.body(), 403, forged.statusCode());
        forged = post("/console/api/revoke", revoke, origin, null);
        assertEquals(forged.body(), 403, forged.statusCode());
        assertEquals("live", devices("SN-F-1").get("devices").get(0).get("status").asText());
        enroll("SN-F-1", 403); // one live IDevID per serial (a caller that is not a station is not told why)

        HttpResponse<String> r = post("/console/api/revoke", revoke, origin, token);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.body(), r.body().contains("the IDevID of serial SN-F-1 is revoked"));
        assertEquals("revoked", devices("SN-F-1").get("devices").get(0).get("status").asText());
        r = post("/console/api/revoke", revoke, origin, token);
        assertEquals(r.body(), 409, r.statusCode());
        assertTrue(r.body(), r.body().contains("serial SN-F-1 has no live IDevID; nothing changed"));
        enroll("SN-F-1", 200);

        r = post("/console/api/allow", "{\"serials\":\"SN-H-1, bad serial!\"}", origin, token);
        assertEquals(r.body(), 400, r.statusCode());
        enroll("SN-H-1", 403);
        r = post("/console/api/allow", "{\"serials\":\"SN-H-1 SN-H-2\"}", origin, token);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.body(), r.body().contains("2 of 2 serials added to the production plan"));
        enroll("SN-H-1", 200);
        cookie = null;
        r = post("/console/api/allow", "{\"serials\":\"SN-H-3\"}", origin, token);
        assertEquals(r.body(), 401, r.statusCode());
    }
}
