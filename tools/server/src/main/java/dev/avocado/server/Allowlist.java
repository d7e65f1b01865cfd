package dev.avocado.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** A table of serial numbers a service lets through (the factory's production plan, the registrar's allowlist). */
public final class Allowlist {

    private final String table;

    /** @param table the table, with columns serial (primary key) and added_at */
    public Allowlist(String table) {
        this.table = table;
    }

    /** The statement that creates the table, for a schema migration. */
    public String createTable() {
        return "CREATE TABLE " + table + " (serial VARCHAR(64) PRIMARY KEY, added_at TIMESTAMP WITH TIME ZONE NOT NULL)";
    }

    public boolean contains(Connection c, String serial) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM " + table + " WHERE serial = ?")) {
            q.setString(1, serial);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Adds serials; returns how many were new. */
    /** The serials that contain {@code part} (all when it is empty), in order, at most {@code limit}. */
    public List<String> list(Connection c, String part, int limit) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT serial FROM " + table + " WHERE serial LIKE ? ESCAPE '\\' "
                + "ORDER BY serial LIMIT " + limit)) {
            q.setString(1, containing(part));
            List<String> out = new java.util.ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** A LIKE pattern (escape character backslash) for the values that contain {@code part} as it is written. */
    public static String containing(String part) {
        return "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    public int add(Database db, List<String> serials) throws SQLException {
        return db.transaction(c -> {
            int added = 0;
            for (String s : serials) {
                if (!contains(c, s)) {
                    try (PreparedStatement u = c.prepareStatement("INSERT INTO " + table + " (serial, added_at) VALUES (?, ?)")) {
                        u.setString(1, s);
                        u.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
                        added += u.executeUpdate();
                    }
                }
            }
            return added;
        });
    }
}
