package dev.avocado.registrar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an independent checker (openssl, curl) and keeps what it said. */
record Proc(int exit, String output) {

    static Proc run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs it through sh -c (pipes). */
    static Proc sh(Path dir, String script) throws IOException, InterruptedException {
        return run(dir, "sh", "-c", script);
    }

    Proc ok(String what) {
        if (exit != 0) {
            throw new AssertionError(what + " exited " + exit + ":\n" + output);
        }
        return this;
    }
}
