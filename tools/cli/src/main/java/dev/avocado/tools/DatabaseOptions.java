package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** A service's database: --db, or the embedded H2 file beside the PKI. */
abstract class DatabaseOptions {

    @Option(names = "--pki", paramLabel = "DIR", description = "The PKI (pki init); it also holds the embedded "
            + "database unless --db names another.")
    Path pki;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "The database, for example "
            + "jdbc:postgresql://db.example/avocado?user=avocado. Default: an H2 file in the PKI folder.")
    String db;

    private final String folder;
    private final String file;

    DatabaseOptions(String folder, String file) {
        this.folder = folder;
        this.file = file;
    }

    String url() {
        if (db != null) {
            return db;
        }
        if (pki == null) {
            throw new IllegalArgumentException("give --pki DIR or --db JDBC_URL");
        }
        return embedded(new Pki(pki).folder());
    }

    /**
     * The embedded database of this service for a PKI folder, in an owner-only folder. No AUTO_SERVER
     * (that opens a TCP port any local user can reach): while the service runs, the admin commands go
     * through its admin socket ({@link AdminForward}).
     */
    String embedded(Path pkiFolder) {
        Path dir = pkiFolder.toAbsolutePath().normalize().resolve(folder);
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot make the database folder " + dir + " owner-only: " + e.getMessage(), e);
        }
        return "jdbc:h2:file:" + dir.resolve(file);
    }

    /** True when the database is the embedded one (no --db). */
    boolean isEmbedded() {
        return db == null;
    }

    /** The factory service's device database. */
    static final class Factory extends DatabaseOptions {
        Factory() {
            super("factory-db", "devices");
        }
    }

    /** The MASA's ownership records and voucher log. */
    static final class Masa extends DatabaseOptions {
        Masa() {
            super("masa-db", "vouchers");
        }
    }

    /** The registrar's pledges, vouchers and LDevIDs. */
    static final class Registrar extends DatabaseOptions {
        Registrar() {
            super("registrar-db", "pledges");
        }
    }
}
