package dev.avocado.tpm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A TPM resource manager in front of a TPM that serves one connection at a time (swtpm): tpm2-abrmd
 * (Debian package tpm2-abrmd) on a D-Bus session bus of its own (dbus-daemon on a socket file, so
 * processes in other network namespaces reach it too). Through it several stacks share the TPM at once
 * (the ESYS key service, tpm2-pkcs11 in the device's JVM, tpm2-pkcs11 in wpa_supplicant), as they share
 * /dev/tpmrm0 on a device. For the tools (the demo) and the tests, never the device.
 */
public final class TpmResourceManager implements AutoCloseable {

    private final Path busSocket;
    private final String busName;
    private final Process bus;
    private final Process abrmd;

    private TpmResourceManager(Path busSocket, String busName, Process bus, Process abrmd) {
        this.busSocket = busSocket;
        this.busName = busName;
        this.bus = bus;
        this.abrmd = abrmd;
    }

    /**
     * Starts a bus on {@code busSocket} and tpm2-abrmd on it under {@code busName}, in front of the TPM at
     * {@code tcti} ({@code swtpm:host=127.0.0.1,port=2321}); returns when tpm2-tools reach the TPM through it.
     */
    public static TpmResourceManager start(String tcti, Path busSocket, String busName) throws IOException,
            InterruptedException {
        Files.createDirectories(busSocket.getParent());
        Files.deleteIfExists(busSocket);
        Path log = busSocket.resolveSibling(busSocket.getFileName() + ".log");
        Process bus = start(List.of("dbus-daemon", "--session", "--nofork", "--address=unix:path=" + busSocket), log,
                "dbus-daemon (Debian package dbus)");
        Process abrmd = null;
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.exists(busSocket)) {
                if (!bus.isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IOException("dbus-daemon did not listen on " + busSocket + "; see " + log);
                }
                Thread.sleep(20);
            }
            ProcessBuilder pb = new ProcessBuilder("tpm2-abrmd", "--session", "--allow-root", "--tcti=" + tcti,
                    "--dbus-name=" + busName).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + busSocket);
            try {
                abrmd = pb.start();
            } catch (IOException e) {
                throw new IOException("tpm2-abrmd is not installed (tools/test installs it; or apt-get install "
                        + "tpm2-abrmd libtss2-tcti-tabrmd0): " + e.getMessage(), e);
            }
            TpmResourceManager t = new TpmResourceManager(busSocket, busName, bus, abrmd);
            while (true) {
                if (!abrmd.isAlive()) {
                    throw new IOException("tpm2-abrmd exited with " + abrmd.exitValue() + "; see " + log);
                }
                if (t.toolsOk()) {
                    return t;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("tpm2-abrmd did not answer within 10 s; see " + log);
                }
                Thread.sleep(50);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (abrmd != null) {
                abrmd.destroyForcibly();
            }
            bus.destroyForcibly();
            throw e;
        }
    }

    /** The TCTI through the resource manager, for ESYS, tpm2-tools and tpm2-pkcs11. */
    public String tcti() {
        return "tabrmd:bus_type=session,bus_name=" + busName;
    }

    /** The D-Bus address of its bus, which every client needs in DBUS_SESSION_BUS_ADDRESS. */
    public String busAddress() {
        return "unix:path=" + busSocket;
    }

    /** The environment of a process that uses this TPM through tpm2-tools or tpm2-pkcs11. */
    public Map<String, String> environment() {
        return Map.of("DBUS_SESSION_BUS_ADDRESS", busAddress(), "TPM2TOOLS_TCTI", tcti(), "TPM2_PKCS11_TCTI", tcti());
    }

    private boolean toolsOk() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("tpm2_getrandom", "4").redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static Process start(List<String> cmd, Path log, String what) throws IOException {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException(what + " is not installed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (Process p : List.of(abrmd, bus)) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
