package dev.avocado.registrar;

import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * What the owner sees and decides in the registrar's console: each pledge with where it is, its last
 * voucher and its current LDevID; and the owner's approval or refusal of a pending pledge, made only
 * while it is pending (the row locked, so a pledge asking at that moment cannot undo it).
 */
final class ConsoleView {

    /** How many pledges the console shows, the most recently seen first. */
    static final int ROWS = 500;

    /** A pledge as the console shows it. */
    record Row(String serial, String manufacturer, String state, OffsetDateTime firstSeen, OffsetDateTime lastSeen,
            String remote, String reason, Optional<VoucherSeen> voucher, Optional<LdevidSeen> ldevid) {
    }

    record VoucherSeen(String assertion, OffsetDateTime deliveredAt, OffsetDateTime expiresOn) {
    }

    record LdevidSeen(String certificateSerial, OffsetDateTime issuedAt, OffsetDateTime notAfter) {
    }

    private ConsoleView() {
    }

    /** The console's word for where a pledge is: pending, approved, refused, voucher, trusted, enrolled, failed. */
    static String state(PledgeRegistry.Status status, boolean approved) {
        if (status == PledgeRegistry.Status.PENDING && approved) {
            return "approved";
        }
        return status.name().toLowerCase(Locale.ROOT);
    }

    static List<Row> rows(Connection c) throws SQLException {
        Map<String, VoucherSeen> vouchers = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT serial, assertion, received_at, expires_on FROM registrar_vouchers "
                + "ORDER BY id"); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                vouchers.put(rs.getString(1), new VoucherSeen(rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                        rs.getObject(4, OffsetDateTime.class)));
            }
        }
        Map<String, LdevidSeen> ldevids = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT serial, cert_serial, issued_at, not_after FROM registrar_ldevids "
                + "WHERE live_serial IS NOT NULL"); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                ldevids.put(rs.getString(1), new LdevidSeen(rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                        rs.getObject(4, OffsetDateTime.class)));
            }
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT serial, idevid, status, approved, first_seen, last_seen, remote, reason "
                + "FROM registrar_pledges ORDER BY last_seen DESC, serial LIMIT " + ROWS); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String serial = rs.getString(1);
                rows.add(new Row(serial, manufacturer(rs.getString(2), serial),
                        state(PledgeRegistry.Status.valueOf(rs.getString(3)), rs.getBoolean(4)),
                        rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class), rs.getString(7),
                        rs.getString(8), Optional.ofNullable(vouchers.get(serial)), Optional.ofNullable(ldevids.get(serial))));
            }
        }
        return rows;
    }

    /** The organization its IDevID names, and the CA that issued it (both checked at C.3 under the MPR). */
    private static String manufacturer(String idevidPem, String serial) throws SQLException {
        X509Certificate idevid;
        try {
            idevid = Pem.readCertificates(idevidPem.getBytes(StandardCharsets.US_ASCII), "IDevID of serial " + serial).get(0);
        } catch (IOException e) {
            throw new SQLException("the row of serial " + serial + " holds no IDevID: " + e.getMessage(), e);
        }
        String org = Names.attribute(Names.subject(idevid), BCStyle.O).orElse("?");
        return org + " (IDevID from " + Names.display(idevid.getIssuerX500Principal()) + ")";
    }

    /**
     * The owner approves a pending pledge: it gets its voucher when it asks next. Any other state is
     * refused (409) and nothing changes.
     */
    static void approve(Connection c, String serial) throws SQLException, Rejection {
        pending(c, serial);
        try (PreparedStatement u = c.prepareStatement("UPDATE registrar_pledges SET approved = TRUE, reason = ?, last_seen = ? "
                + "WHERE serial = ?")) {
            u.setString(1, "approved by the owner in the console; the voucher comes when the pledge asks next");
            u.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
            u.setString(3, serial);
            u.executeUpdate();
        }
    }

    /**
     * The owner refuses a pending pledge: its requests get 403 from now on, until 'registrar approve'.
     * Any other state is refused (409) and nothing changes.
     */
    static void refuse(Connection c, String serial) throws SQLException, Rejection {
        pending(c, serial);
        try (PreparedStatement u = c.prepareStatement("UPDATE registrar_pledges SET status = ?, approved = FALSE, reason = ?, "
                + "last_seen = ? WHERE serial = ?")) {
            u.setString(1, PledgeRegistry.Status.REFUSED.name());
            u.setString(2, ApprovalPolicy.REFUSED_BY_OWNER);
            u.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
            u.setString(4, serial);
            u.executeUpdate();
        }
    }

    /** Locks the pledge's row; 404 when no such pledge asked, 409 when it is not pending. */
    private static void pending(Connection c, String serial) throws SQLException, Rejection {
        try (PreparedStatement q = c.prepareStatement("SELECT status, approved FROM registrar_pledges WHERE serial = ? FOR UPDATE")) {
            q.setString(1, serial);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new Rejection(404, "no pledge with serial " + serial + " has asked this registrar");
                }
                String state = state(PledgeRegistry.Status.valueOf(rs.getString(1)), rs.getBoolean(2));
                if (!state.equals("pending")) {
                    throw new Rejection(409, "serial " + serial + " is not pending: it is " + state + "; nothing changed");
                }
            }
        }
    }
}
