package dev.avocado.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A JDBC database through a HikariCP pool: an embedded H2 file by default, PostgreSQL for production
 * and for several server instances. The schema is created and migrated at open, one transaction per
 * version; on PostgreSQL an advisory lock keeps two instances starting together from racing.
 */
public final class Database implements AutoCloseable {

    /** SQLSTATE of a unique constraint violation, in H2 and PostgreSQL alike. */
    public static final String UNIQUE_VIOLATION = "23505";

    /** One schema version: statements run in one transaction. */
    public record Migration(int version, List<String> statements) {
        public Migration(int version, String... statements) {
            this(version, List.of(statements));
        }
    }

    /** Work in one transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;
    private final String url;

    private Database(HikariDataSource pool, String url) {
        this.pool = pool;
        this.url = url;
    }

    /**
     * Opens the database and brings its schema to the last migration.
     *
     * @param name the schema's name in the version table (one database may serve several services)
     */
    public static Database open(String jdbcUrl, String name, List<Migration> migrations) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("avocado-" + name);
        config.setMaximumPoolSize(16);
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new SQLException("cannot open database " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
        Database db = new Database(pool, jdbcUrl);
        try {
            db.migrate(name, migrations);
        } catch (SQLException e) {
            pool.close();
            throw new SQLException("cannot migrate database " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
        return db;
    }

    /** What a service makes of its open database. */
    public interface Service<T> {
        T start(Database db) throws Exception;
    }

    /**
     * Opens the database (creating or migrating its schema) and starts a service on it; when the
     * service cannot start, the database is closed again.
     */
    public static <T> T serve(String jdbcUrl, String name, List<Migration> migrations, Service<T> service) throws Exception {
        Database db = open(jdbcUrl, name, migrations);
        try {
            return service.start(db);
        } catch (Exception e) {
            db.close();
            throw e;
        }
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    public String describe() {
        return redact(url);
    }

    /** Runs work in a transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void migrate(String name, List<Migration> migrations) throws SQLException {
        transaction(c -> {
            lockSchema(c);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (name VARCHAR(64) PRIMARY KEY, version INT NOT NULL)");
            }
            return null;
        });
        for (Migration m : migrations) {
            transaction(c -> {
                lockSchema(c);
                int current = 0;
                try (PreparedStatement q = c.prepareStatement("SELECT version FROM schema_version WHERE name = ?")) {
                    q.setString(1, name);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            current = rs.getInt(1);
                        }
                    }
                }
                if (current >= m.version()) {
                    return null;
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : m.statements()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement u = c.prepareStatement(current == 0
                        ? "INSERT INTO schema_version (version, name) VALUES (?, ?)"
                        : "UPDATE schema_version SET version = ? WHERE name = ?")) {
                    u.setInt(1, m.version());
                    u.setString(2, name);
                    u.executeUpdate();
                }
                return null;
            });
        }
    }

    /**
     * On PostgreSQL, one schema change at a time across every instance (even CREATE TABLE IF NOT EXISTS
     * races there); H2 runs in one process.
     */
    private void lockSchema(Connection c) throws SQLException {
        if (isPostgres()) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, 0x4176_6f63_6164_6fL); // "Avocado"
                lock.execute();
            }
        }
    }

    /** A JDBC URL without its password, for messages. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public void close() {
        pool.close();
    }
}
