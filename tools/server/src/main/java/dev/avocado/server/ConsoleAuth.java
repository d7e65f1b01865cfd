package dev.avocado.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Who may use a server's web console: the holder of its admin password, set at install with the
 * server's {@code console-password} command and stored as an Argon2id hash ({@link PasswordHash}) in
 * the server's database, so every instance behind a load balancer accepts the same password and the
 * same sessions.
 *
 * <p>A sign-in gives a session: a random token in a cookie the page's scripts cannot read
 * ({@code HttpOnly}, {@code Secure}, {@code SameSite=Strict}, path {@code /console}), stored only as its
 * SHA-256, and a second random value, the request token, that the page sends in a header with every
 * change. A change is accepted only with both, from a page of this server's own origin
 * ({@link #checkChange}): a page of another site can make the browser send the cookie (where SameSite
 * does not hold) but can read neither the request token nor set the Origin header.
 */
public final class ConsoleAuth {

    /** The session cookie. */
    public static final String COOKIE = "avocado-console";
    /** The header that carries the session's request token on every change. */
    public static final String REQUEST_TOKEN = "X-Avocado-Request-Token";
    /** How long a session lasts from its sign-in. */
    public static final Duration SESSION = Duration.ofHours(8);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A signed-in console user. */
    public record Session(String requestToken, OffsetDateTime expiresAt) {
    }

    /** What a sign-in gives: the cookie to set and the session. */
    public record SignedIn(String cookie, Session session) {
    }

    private final Database db;
    private final String admin;
    private final String sessions;
    private final String command;
    /** One password check at a time: each costs 19 MiB and tens of milliseconds, and anyone can ask. */
    private final Semaphore checking = new Semaphore(1);

    /**
     * @param prefix the server's table prefix (registrar, factory)
     * @param command the command that sets the password, for the messages ("registrar console-password")
     */
    public ConsoleAuth(Database db, String prefix, String command) {
        this.db = db;
        this.admin = prefix + "_console_admin";
        this.sessions = prefix + "_console_sessions";
        this.command = command;
    }

    /** The statements that create this server's console tables, for a schema migration. */
    public static List<String> schema(String prefix) {
        return List.of("CREATE TABLE IF NOT EXISTS " + prefix + "_console_admin (id INT PRIMARY KEY, password VARCHAR(256) NOT NULL, "
                        + "set_at TIMESTAMP WITH TIME ZONE NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + prefix + "_console_sessions (token_hash VARCHAR(64) PRIMARY KEY, "
                        + "request_token VARCHAR(64) NOT NULL, remote VARCHAR(64), created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                        + "expires_at TIMESTAMP WITH TIME ZONE NOT NULL)");
    }

    /** Sets the admin password and ends every session. */
    public void setPassword(char[] password) throws SQLException {
        String hash = PasswordHash.hash(password);
        db.transaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + admin);
                    PreparedStatement s = c.prepareStatement("DELETE FROM " + sessions);
                    PreparedStatement i = c.prepareStatement("INSERT INTO " + admin + " (id, password, set_at) VALUES (1, ?, ?)")) {
                d.executeUpdate();
                s.executeUpdate();
                i.setString(1, hash);
                i.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
                i.executeUpdate();
            }
            return null;
        });
    }

    /** The stored hash, or empty when no password was set (the console then lets nobody in). */
    private Optional<String> storedHash() throws SQLException {
        return db.transaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT password FROM " + admin + " WHERE id = 1");
                    ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        });
    }

    /** Checks the password and opens a session; a wrong one is refused (401), as is any when none was set (403). */
    public SignedIn signIn(char[] password, String remote) throws Rejection, SQLException {
        String hash = storedHash().orElseThrow(() -> new Rejection(403, "the console has no admin password yet; set one on the "
                + "server with '" + command + "'"));
        boolean right;
        try {
            if (!checking.tryAcquire(5, TimeUnit.SECONDS)) {
                throw new Rejection(503, "the console is checking other sign-ins; try again", Duration.ofSeconds(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection(503, "the server is stopping", Duration.ofSeconds(2));
        }
        try {
            right = PasswordHash.verify(password, hash);
        } finally {
            checking.release();
        }
        if (!right) {
            throw new Rejection(401, "wrong password");
        }
        String token = random();
        Session session = new Session(random(), OffsetDateTime.now(ZoneOffset.UTC).plus(SESSION));
        db.transaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + sessions + " WHERE expires_at < ?");
                    PreparedStatement i = c.prepareStatement("INSERT INTO " + sessions
                            + " (token_hash, request_token, remote, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                d.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
                d.executeUpdate();
                i.setString(1, sha256(token));
                i.setString(2, session.requestToken());
                i.setString(3, remote);
                i.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
                i.setObject(5, session.expiresAt());
                i.executeUpdate();
            }
            return null;
        });
        return new SignedIn(COOKIE + "=" + token + "; Path=/console; Secure; HttpOnly; SameSite=Strict; Max-Age="
                + SESSION.toSeconds(), session);
    }

    /** The session of a request: its cookie, known and not expired; else 401. */
    public Session session(HttpsServer.Exchange ex) throws Rejection, SQLException {
        String token = cookie(ex.header("Cookie")).orElseThrow(() -> new Rejection(401, "sign in first: no console session"));
        Optional<Session> s = db.transaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT request_token, expires_at FROM " + sessions + " WHERE token_hash = ?")) {
                q.setString(1, sha256(token));
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(new Session(rs.getString(1), rs.getObject(2, OffsetDateTime.class)))
                            : Optional.empty();
                }
            }
        });
        if (s.isEmpty()) {
            throw new Rejection(401, "sign in again: the console session is not known (signed out, or the password changed)");
        }
        if (s.get().expiresAt().isBefore(OffsetDateTime.now(ZoneOffset.UTC))) {
            throw new Rejection(401, "sign in again: the console session expired at " + s.get().expiresAt());
        }
        return s.get();
    }

    /**
     * A change (approve, refuse, sign out) is accepted only from this server's own pages: a JSON body, an
     * Origin header naming this server ({@code https://} and the Host the browser asked), and the
     * session's request token; else 403 and nothing changes.
     */
    public void checkChange(HttpsServer.Exchange ex, Session session) throws Rejection {
        checkOrigin(ex);
        String token = ex.header(REQUEST_TOKEN);
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                session.requestToken().getBytes(StandardCharsets.US_ASCII))) {
            throw new Rejection(403, "refused: the request does not carry this session's request token (" + REQUEST_TOKEN
                    + "); it did not come from the console's own page");
        }
    }

    /** A sign-in too must come from the console's own page (no signing a victim into a session of another's). */
    public void checkOrigin(HttpsServer.Exchange ex) throws Rejection {
        if (!"application/json".equals(ex.mediaType())) {
            throw new Rejection(415, "expected Content-Type application/json, got '" + ex.contentType() + "'");
        }
        String origin = ex.header("Origin");
        String host = ex.header("Host");
        if (origin == null || host == null || !origin.equals("https://" + host)) {
            throw new Rejection(403, "refused: the request comes from " + (origin == null ? "a page that does not say its origin"
                    : "the page of " + origin) + ", not from this console (https://" + host + ")");
        }
    }

    /** Ends the session of this request. */
    public void signOut(HttpsServer.Exchange ex) throws SQLException {
        Optional<String> token = cookie(ex.header("Cookie"));
        if (token.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + sessions + " WHERE token_hash = ?")) {
                d.setString(1, sha256(token.get()));
                d.executeUpdate();
            }
            return null;
        });
    }

    /** The cookie that clears the session cookie in the browser. */
    public static String clearedCookie() {
        return COOKIE + "=; Path=/console; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    static Optional<String> cookie(String header) {
        if (header == null) {
            return Optional.empty();
        }
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=") && p.length() > COOKIE.length() + 1) {
                return Optional.of(p.substring(COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
