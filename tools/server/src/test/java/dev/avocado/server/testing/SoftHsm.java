package dev.avocado.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SoftHSM2 for the servers' tests: a token folder of this build (SOFTHSM2_CONF, set for the test JVM by
 * the module's surefire configuration and passed to the server processes), tokens initialized by
 * SoftHSM2's own softhsm2-util, and pkcs11-tool (OpenSC) as the independent reader of what they hold.
 */
public final class SoftHsm {

    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    private SoftHsm() {
    }

    /** The configuration file of this JVM's SoftHSM2, its token folder made (kept across tests: labels differ). */
    public static Path conf() throws IOException {
        String env = System.getenv("SOFTHSM2_CONF");
        if (env == null) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set for this JVM (the module's surefire configuration sets it)");
        }
        Path conf = Path.of(env);
        Path tokens = conf.resolveSibling("tokens");
        Files.createDirectories(tokens);
        if (!Files.exists(conf)) {
            Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        }
        return conf;
    }

    /** The environment a process needs to see this JVM's tokens. */
    public static Map<String, String> environment() throws IOException {
        return Map.of("SOFTHSM2_CONF", conf().toString());
    }

    /** A new token with this label and user PIN, initialized by softhsm2-util. */
    public static void initToken(String label, String pin) throws Exception {
        conf();
        String out = run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "so-" + pin, "--pin", pin);
        if (!out.contains("has been initialized")) {
            throw new IllegalStateException("softhsm2-util did not initialize token " + label + ": " + out);
        }
    }

    /** What pkcs11-tool --list-objects says of a token (logged in). */
    public static String listObjects(String label, String pin) throws Exception {
        return run("pkcs11-tool", "--module", MODULE.toString(), "--token-label", label, "--login", "--pin", pin,
                "--list-objects");
    }

    public static String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end");
        }
        return out;
    }
}
