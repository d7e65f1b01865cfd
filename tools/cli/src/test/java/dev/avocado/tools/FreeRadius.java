package dev.avocado.tools;

import dev.avocado.protocol.io.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real RADIUS server for end-to-end tests: FreeRADIUS 3 (Debian package freeradius) doing EAP-TLS on
 * 127.0.0.1, and eapol_test (Debian package eapoltest) as the supplicant, so a test proves that a
 * certificate and a wpa_supplicant network block authenticate against an independent implementation.
 *
 * <p>Each server has its own minimal configuration folder under the test's work folder (nothing of
 * /etc/freeradius is read, so the distribution's own service and configuration do not matter), its own
 * free UDP port (auth only), one client (127.0.0.1) with a random secret, and one virtual server that
 * authorizes and authenticates with the eap module, EAP-TLS only. Client certificates are trusted only
 * when they chain to the given CA file (no ca_path, no system store). It runs in the foreground with
 * full debug output ({@code -X}) into {@code freeradius.log}, which says why a request was refused.
 */
final class FreeRadius implements AutoCloseable {

    static final Path FREERADIUS = Path.of("/usr/sbin/freeradius");
    static final Path EAPOL_TEST = Path.of("/usr/bin/eapol_test");
    /** Where FreeRADIUS's distribution dictionaries are (Debian; also the binary's compiled-in default). */
    static final Path DICTIONARIES = Path.of("/usr/share/freeradius");

    private static final String READY = "Ready to process requests";
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int LOG_TAIL_LINES = 80;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What eapol_test printed and how it ended. */
    record Result(int exitCode, String output) {

        /** eapol_test's verdict: exit 0 and its closing line SUCCESS (otherwise it prints FAILURE). */
        boolean success() {
            return exitCode == 0 && output.lines().anyMatch(l -> l.strip().equals("SUCCESS"));
        }
    }

    private final Path workDir;
    private final Path logFile;
    private final int port;
    private final String secret;
    private final Process process;
    private final Thread stopOnExit;
    private final AtomicInteger runs = new AtomicInteger();

    private FreeRadius(Path workDir, Path logFile, int port, String secret, Process process) {
        this.workDir = workDir;
        this.logFile = logFile;
        this.port = port;
        this.secret = secret;
        this.process = process;
        this.stopOnExit = new Thread(process::destroy, "freeradius-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Empty when freeradius and eapol_test are installed; otherwise what is missing and how to get it. */
    static Optional<String> missingTools() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(FREERADIUS)) {
            missing.add(FREERADIUS + " (Debian package freeradius)");
        }
        if (!Files.isExecutable(EAPOL_TEST)) {
            missing.add(EAPOL_TEST + " (Debian package eapoltest)");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("missing " + String.join(" and ", missing)
                + ": run tools/test, which installs them (as root, with apt-get)");
    }

    /**
     * Writes a fresh configuration under {@code workDir} and starts FreeRADIUS on it; returns when it is
     * ready to process requests.
     *
     * @param trustedCaPem the only trust anchor for client certificates (one or more PEM certificates)
     * @param serverCertPem the server's certificate, PEM (FreeRADIUS completes its chain from the CA file)
     * @param serverKeyPem the server's private key, PKCS#8 PEM, unencrypted
     */
    static FreeRadius start(Path workDir, Path trustedCaPem, Path serverCertPem, Path serverKeyPem)
            throws IOException, InterruptedException {
        return start(null, workDir, trustedCaPem, serverCertPem, serverKeyPem);
    }

    /** The same in network namespace {@code netns} (null: this one), on that namespace's loopback. */
    static FreeRadius start(String netns, Path workDir, Path trustedCaPem, Path serverCertPem, Path serverKeyPem)
            throws IOException, InterruptedException {
        Optional<String> missing = missingTools();
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        for (Path p : List.of(trustedCaPem, serverCertPem, serverKeyPem)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException("no such file: " + p);
            }
        }
        Path dir = Files.createDirectories(workDir).toAbsolutePath();
        String secret = HexFormat.of().formatHex(bytes(16));
        // a free UDP port can be taken between our probe and FreeRADIUS's bind: then take another
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freeUdpPort();
            Path log = dir.resolve("freeradius.log");
            Path raddb = writeConfig(dir, port, secret, trustedCaPem.toAbsolutePath(), serverCertPem.toAbsolutePath(),
                    serverKeyPem.toAbsolutePath());
            List<String> cmd = new ArrayList<>();
            if (netns != null) {
                cmd.addAll(List.of("ip", "netns", "exec", netns));
            }
            cmd.addAll(List.of(FREERADIUS.toString(), "-X", "-d", raddb.toString(), "-D", DICTIONARIES.toString()));
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try {
                awaitReady(p, log);
                return new FreeRadius(dir, log, port, secret, p);
            } catch (IOException e) {
                stop(p);
                last = e;
                if (!read(log).contains("Failed binding")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** The UDP port of the auth listener on 127.0.0.1. */
    int port() {
        return port;
    }

    /** The shared secret of the client 127.0.0.1. */
    String secret() {
        return secret;
    }

    /** The server's whole debug output so far ({@code -X}). */
    Path logFile() {
        return logFile;
    }

    /** The last lines of the server's debug output, for an assertion message. */
    String log() {
        List<String> lines = read(logFile).lines().toList();
        List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
        return "\n--- FreeRADIUS " + logFile + " (last " + tail.size() + " of " + lines.size() + " lines) ---\n"
                + String.join("\n", tail) + "\n--- end of FreeRADIUS log ---";
    }

    /**
     * Runs eapol_test against this server with a wpa_supplicant configuration (its first network block):
     * one EAP authentication, no reauthentication, 15 s timeout. The output is also kept in the work folder.
     */
    Result eapolTest(Path wpaSupplicantConf) throws IOException, InterruptedException {
        return eapolTest(wpaSupplicantConf, java.util.Map.of());
    }

    /**
     * The same with environment variables added: a key in tpm2-pkcs11 needs its store, its TCTI and the bus
     * of the resource manager, as wpa_supplicant on the device has them.
     */
    Result eapolTest(Path wpaSupplicantConf, java.util.Map<String, String> env) throws IOException, InterruptedException {
        Path out = workDir.resolve("eapol_test-" + runs.incrementAndGet() + ".log");
        ProcessBuilder pb = new ProcessBuilder(EAPOL_TEST.toString(), "-c", wpaSupplicantConf.toAbsolutePath().toString(),
                "-a", "127.0.0.1", "-p", String.valueOf(port), "-s", secret, "-t", "15", "-r", "0")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            stop(p);
            return new Result(-1, read(out) + "\n(eapol_test did not end within 30 s; killed)");
        }
        return new Result(p.exitValue(), read(out));
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitReady(Process p, Path log) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (true) {
            if (read(log).contains(READY)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IOException("FreeRADIUS exited with " + p.exitValue() + " before it was ready" + tail(log));
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("FreeRADIUS was not ready within " + READY_TIMEOUT_MS / 1000 + " s" + tail(log));
            }
            Thread.sleep(25);
        }
    }

    private static String tail(Path log) {
        List<String> lines = read(log).lines().toList();
        return ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /**
     * radiusd.conf, the only file of the configuration: no user/group (runs as the current user), logs
     * and run files under the work folder, no proxying, one client, the eap module with EAP-TLS only,
     * one virtual server with its listener.
     */
    private static Path writeConfig(Path dir, int port, String secret, Path ca, Path cert, Path key) throws IOException {
        Path raddb = AtomicFiles.folder(dir.resolve("raddb"), PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("run"));
        String conf = """
                # written by FreeRadius.java (Avocado tests): a minimal EAP-TLS server on loopback
                prefix = /usr
                exec_prefix = /usr
                sbindir = /usr/sbin
                libdir = /usr/lib/freeradius
                localstatedir = %1$s
                raddbdir = %2$s
                confdir = ${raddbdir}
                logdir = %1$s
                run_dir = %3$s
                radacctdir = ${logdir}/radacct
                name = freeradius
                pidfile = ${run_dir}/freeradius.pid
                max_request_time = 30
                cleanup_delay = 5
                max_requests = 1024
                hostname_lookups = no

                log {
                	destination = stdout
                	stripped_names = no
                	auth = yes
                	auth_badpass = no
                	auth_goodpass = no
                }

                # no user/group: the server keeps the identity it was started with
                security {
                	allow_core_dumps = no
                	max_attributes = 200
                	reject_delay = 0
                	status_server = no
                }

                proxy_requests = no

                client loopback {
                	ipaddr = 127.0.0.1
                	proto = udp
                	secret = "%4$s"
                	require_message_authenticator = no
                	shortname = loopback
                }

                thread pool {
                	start_servers = 1
                	max_servers = 4
                	min_spare_servers = 1
                	max_spare_servers = 2
                	max_requests_per_server = 0
                }

                modules {
                	eap {
                		default_eap_type = tls
                		timer_expire = 60
                		ignore_unknown_eap_types = no
                		max_sessions = ${max_requests}

                		tls-config tls-common {
                			certificate_file = %5$s
                			private_key_file = %6$s
                			# the only trust for client certificates: no ca_path, no system store
                			ca_file = %7$s
                			cipher_list = "DEFAULT"
                			cipher_server_preference = no
                			tls_min_version = "1.2"
                			tls_max_version = "1.2"
                			# empty: OpenSSL's default groups (ECDHE on P-256, X25519...); no dh_file needed
                			ecdh_curve = ""
                			cache {
                				enable = no
                			}
                			ocsp {
                				enable = no
                			}
                		}

                		tls {
                			tls = tls-common
                		}
                	}
                }

                server avocado {
                	listen {
                		type = auth
                		ipaddr = 127.0.0.1
                		port = %8$d
                	}
                	authorize {
                		eap {
                			ok = return
                		}
                	}
                	authenticate {
                		eap
                	}
                	post-auth {
                		Post-Auth-Type REJECT {
                			eap
                		}
                	}
                }
                """.formatted(quoted(dir), quoted(raddb), quoted(dir.resolve("run")), secret, quoted(cert),
                quoted(key), quoted(ca), port);
        AtomicFiles.write(raddb.resolve("radiusd.conf"), conf.getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
        return raddb;
    }

    /** A path as a FreeRADIUS double-quoted string (which would expand ${...}, so $ is refused). */
    private static String quoted(Path p) {
        String s = p.toAbsolutePath().toString();
        if (s.chars().anyMatch(c -> c == '"' || c == '\\' || c == '$' || c < 0x20)) {
            throw new IllegalArgumentException("path not usable in a FreeRADIUS configuration: " + s);
        }
        return "\"" + s + "\"";
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
