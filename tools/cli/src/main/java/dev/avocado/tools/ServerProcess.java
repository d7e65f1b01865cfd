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
 * A server of this command line as its own process, as it runs in production (the soak and the
 * scale-out bench): started with the given JVM options, ready when its ready line appears, its output
 * kept in a file; its resident memory, open files and CPU time read from /proc.
 */
record ServerProcess(String name, Process process, Path log) implements AutoCloseable {

    /**
     * Starts {@code avocado ARGS} and waits up to 60 s for a line starting with {@code ready}.
     *
     * @param jvm the JVM options, separated by spaces
     * @param mallocArenas MALLOC_ARENA_MAX, or 0 for glibc's own
     */
    static ServerProcess start(Path dir, String name, String ready, String jvm, int mallocArenas, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String o : jvm.trim().split("\\s+")) {
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

    /** The process must still run: a bench over a dead server measures nothing. */
    void alive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " died (exit " + process.exitValue() + "); see " + log);
        }
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

    /** User and system CPU time of the process so far, in seconds. */
    double cpuSeconds() throws IOException {
        return cpuSeconds(process.pid());
    }

    /** User and system CPU time of any process of this machine, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name, in parentheses, may hold spaces: fields count from after its closing one
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
