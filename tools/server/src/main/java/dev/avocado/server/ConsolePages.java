package dev.avocado.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.HttpsServer.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's web console under {@code /console}: its page and scripts from the jar (nothing from the
 * network: servers run offline), the sign-in, sign-out and session routes of {@link ConsoleAuth}, and
 * the server's own data routes, each behind a session ({@link #read}) or a session and a change check
 * ({@link #change}). Every reply under {@code /console}, refusals too, carries a Content-Security-Policy
 * that lets only this server's own scripts run, and is never cached.
 */
public final class ConsolePages {

    public static final String PATH = "/console";
    public static final String API = PATH + "/api";

    /** What every console reply carries. */
    public static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                    + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store",
            "X-Frame-Options", "DENY");

    private static final Logger LOG = LoggerFactory.getLogger(ConsolePages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The files shared by every console, in this jar. */
    private static final String[] SHARED = {"console.css", "session.js"};
    /** The files of a server's own console, in its jar. */
    private static final String[] OWN = {"index.html", "console.js"};

    /** A console route that has a signed-in user. */
    public interface Page {
        Reply handle(Exchange exchange, ConsoleAuth.Session session) throws Exception;
    }

    private final ConsoleAuth auth;
    private final String service;
    private final Map<String, Reply> files = new LinkedHashMap<>();

    /**
     * @param owner a class of the server whose console this is; its page is in the jar at
     *        {@code console/index.html} and {@code console/console.js} beside that class
     */
    public ConsolePages(ConsoleAuth auth, String service, Class<?> owner) throws IOException {
        this.auth = auth;
        this.service = service;
        for (String f : SHARED) {
            files.put(f, file(ConsolePages.class, f));
        }
        for (String f : OWN) {
            files.put(f, file(owner, f));
        }
    }

    private static Reply file(Class<?> base, String name) throws IOException {
        try (InputStream in = base.getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IOException("the console file " + name + " is missing from the jar of " + base.getName());
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return Reply.of(200, type, in.readAllBytes());
        }
    }

    /** The page, its files and the session routes; the server adds its own data routes with {@link #read} and {@link #change}. */
    public HttpsServer.Builder routes(HttpsServer.Builder b) {
        Reply index = files.get("index.html");
        b.headersUnder(PATH, HEADERS);
        b.route("GET", PATH, "console", ex -> index);
        b.route("GET", PATH + "/", "console", ex -> index);
        files.forEach((name, reply) -> b.route("GET", PATH + "/" + name, "console", ex -> reply));
        b.route("GET", API + "/session", "console", read((ex, s) -> Reply.json(200, JSON.createObjectNode()
                .put("requestToken", s.requestToken()).put("expiresAt", s.expiresAt().toString()).toString())));
        b.route("POST", API + "/sign-in", "console sign-in", this::signIn);
        b.route("POST", API + "/sign-out", "console", change((ex, s) -> {
            auth.signOut(ex);
            LOG.info("{} console: signed out from {}", service, ex.remoteAddress());
            return Reply.text(200, "signed out").header("Set-Cookie", ConsoleAuth.clearedCookie());
        }));
        return b;
    }

    private Reply signIn(Exchange ex) throws Exception {
        auth.checkOrigin(ex);
        char[] password = field(ex, "password").toCharArray();
        ConsoleAuth.SignedIn in;
        try {
            in = auth.signIn(password, ex.remoteAddress());
        } catch (Rejection r) {
            LOG.warn("{} console: sign-in from {} refused: {}", service, ex.remoteAddress(), r.getMessage());
            throw r;
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        LOG.info("{} console: signed in from {}", service, ex.remoteAddress());
        return Reply.json(200, JSON.createObjectNode().put("requestToken", in.session().requestToken())
                .put("expiresAt", in.session().expiresAt().toString()).toString()).header("Set-Cookie", in.cookie());
    }

    /** A route that reads: a session, or 401. */
    public HttpsServer.Route read(Page page) {
        return ex -> page.handle(ex, auth.session(ex));
    }

    /** A route that changes something: a session and a request from the console's own page, or 401/403. */
    public HttpsServer.Route change(Page page) {
        return ex -> {
            ConsoleAuth.Session s = auth.session(ex);
            auth.checkChange(ex, s);
            return page.handle(ex, s);
        };
    }

    /** A string field of a JSON object body, or 400 naming what is missing. */
    public static String field(Exchange ex, String name) throws Rejection {
        JsonNode body;
        try {
            body = JSON.readTree(ex.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Rejection(400, "the request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejection(400, "the request body cannot be read: " + e.getMessage());
        }
        JsonNode v = body == null ? null : body.get(name);
        if (v == null || !v.isTextual()) {
            throw new Rejection(400, "the request body has no text field '" + name + "'");
        }
        return v.asText();
    }
}
