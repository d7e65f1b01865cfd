package dev.avocado.tpm.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real software TPM (swtpm, libtpms) for tests: started on free loopback ports with a fresh state
 * folder, stopped and deleted afterwards. swtpm serves one connection at a time, so a test closes its
 * own connection before tpm2-tools talks to the same TPM.
 */
public final class Swtpm implements AutoCloseable {

    private final Path state;
    private final int port;
    private final boolean owned;
    private Process process;
    /** swtpm's log of every command it received (--log level=20), or null when not counting. */
    private Path commandLog;

    private Swtpm(Path state, int port, boolean owned) {
        this.state = state;
        this.port = port;
        this.owned = owned;
    }

    public static Swtpm start() throws IOException, InterruptedException {
        Swtpm s = new Swtpm(Files.createTempDirectory("swtpm"), freePortPair(), true);
        s.launch();
        return s;
    }

    /**
     * A fresh TPM that logs every command it receives (swtpm {@code --log level=20}), so a test counts the
     * commands of a flow from the TPM's side, whichever stack sent them (ESYS, tpm2-pkcs11, tpm2-tools).
     */
    public static Swtpm startCounting() throws IOException, InterruptedException {
        Swtpm s = new Swtpm(Files.createTempDirectory("swtpm"), freePortPair(), true);
        s.commandLog = s.state.resolveSibling(s.state.getFileName() + ".commands");
        s.launch();
        return s;
    }

    /** The command codes the TPM received so far, in order (TPM 2.0 part 2: TPM2_Sign is 0x15D). */
    public List<Integer> commands() throws IOException {
        if (commandLog == null) {
            throw new IllegalStateException("this swtpm does not log its commands: start it with startCounting()");
        }
        return dev.avocado.tpm.TpmCommandLog.commands(commandLog);
    }

    /** How many times the TPM received this command so far. */
    public long count(int commandCode) throws IOException {
        return commands().stream().filter(c -> c == commandCode).count();
    }

    /** A TPM on a state folder another swtpm left (a virtual machine's, after power-off); kept on close. */
    public static Swtpm on(Path state) throws IOException, InterruptedException {
        Swtpm s = new Swtpm(state, freePortPair(), false);
        s.launch();
        return s;
    }

    /** The TCTI string of this TPM, for ESYS and tpm2-tools (-T). */
    public String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    public int port() {
        return port;
    }

    /** Kills the TPM process (SIGKILL), as a power cut or a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the TPM again on the same state (persistent objects and NV survive, transients do not). */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("swtpm", "socket", "--tpm2",
                "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear"));
        if (commandLog != null) {
            cmd.addAll(dev.avocado.tpm.TpmCommandLog.swtpmOptions(commandLog));
        }
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(state.resolveSibling(state.getFileName() + ".log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("swtpm is not installed (tools/test installs it; or apt-get install swtpm "
                    + "swtpm-tools): " + e.getMessage(), e);
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("swtpm exited with " + process.exitValue() + "; see " + state + ".log");
            }
            // both sockets: swtpm may listen on its control port before its server port (a client that
            // connects in between gets "IO failure")
            if (listening(port + 1) && listening(port)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("swtpm did not listen on 127.0.0.1:" + port + " within 10 s");
    }

    /** Runs a tpm2-tools command against this TPM; returns its output, fails on a non-zero exit. */
    public String tools(String... args) throws IOException, InterruptedException {
        Result r = toolsResult(args);
        if (r.code() != 0) {
            throw new IOException(String.join(" ", args) + " failed (" + r.code() + "): " + r.output());
        }
        return r.output();
    }

    /** What a tpm2-tools command printed and how it ended. */
    public record Result(int code, String output) {
    }

    /** Runs a tpm2-tools command against this TPM, which may fail. */
    public Result toolsResult(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(args));
        cmd.add(1, "-T");
        cmd.add(2, tcti());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        return new Result(p.exitValue(), out);
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (owned) {
            try (Stream<Path> walk = Files.walk(state)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.deleteIfExists(state.resolveSibling(state.getFileName() + ".log"));
        if (commandLog != null) {
            Files.deleteIfExists(commandLog);
        }
    }

    private static boolean listening(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Two consecutive free ports (server and control). */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 100; i++) {
            int p = ThreadLocalRandom.current().nextInt(20000, 60000);
            if (free(p) && free(p + 1)) {
                return p;
            }
        }
        throw new IOException("no two free consecutive ports on 127.0.0.1");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
