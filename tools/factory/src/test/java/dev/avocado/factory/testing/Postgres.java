package dev.avocado.factory.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: a fresh cluster in a temporary folder, on a free loopback port, with
 * trust authentication, stopped and deleted afterwards. As root the server runs as the postgres user
 * (PostgreSQL refuses root).
 */
public final class Postgres implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Path bin;
    private final boolean asPostgres;

    private Postgres(Path dir, int port, Path bin, boolean asPostgres) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
        this.asPostgres = asPostgres;
    }

    public static Postgres start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("pg");
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        Postgres pg = new Postgres(dir, port, bin, root);
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        pg.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "avocado",
                "--auth=trust", "-E", "UTF8", "--no-sync"));
        pg.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 "
                        + "-c fsync=off -c max_connections=100", "start"));
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=avocado";
    }

    @Override
    public void close() throws IOException {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"));
        } catch (IOException | InterruptedException e) {
            // deleted anyway
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        run(cmd, true);
    }

    private static void run(List<String> cmd, boolean check) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || (check && p.exitValue() != 0)) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                for (Path v : versions.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isExecutable(v.resolve("bin/initdb"))) {
                        return v.resolve("bin");
                    }
                }
            }
        }
        throw new IOException("PostgreSQL is not installed (tools/test installs it; or apt-get install postgresql)");
    }
}
