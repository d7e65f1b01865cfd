package dev.avocado.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server (factory, MASA, registrar) as its own process of this command line, as it runs in
 * production: started with the JVM options a service unit would give it, ready once it has printed its
 * ready line, its output in a file.
 */
record ServerProcess(String name, Process process, Path log) {

    /**
     * Starts {@code avocado ARGS...} and waits for a line starting with {@code ready}.
     *
     * @param jvmOptions the server's JVM options, blank-separated
     * @param mallocArenas MALLOC_ARENA_MAX, or 0 for glibc's own
     */
    static ServerProcess start(Path dir, String name, String ready, String jvmOptions, int mallocArenas, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String o : jvmOptions.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-Davocado.home=" + System.getProperty("avocado.home", "."));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AvocadoCli.class.getName()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (mallocArenas > 0) {
            pb.environment().put("MALLOC_ARENA_MAX", Integer.toString(mallocArenas));
        }
        Process p = pb.start();
        CountDownLatch up = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter w = new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.println(line);
                    if (line.startsWith(ready)) {
                        up.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name + "-output");
        drain.setDaemon(true);
        drain.start();
        if (!up.await(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not start within 60 s; see " + log);
        }
        return new ServerProcess(name, p, log);
    }

    long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(name + ": no VmRSS in /proc/" + process.pid() + "/status");
    }

    long openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return s.count();
        }
    }

    /** SIGKILL: no shutdown hook, no closing of connections or transactions; waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after 10 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
