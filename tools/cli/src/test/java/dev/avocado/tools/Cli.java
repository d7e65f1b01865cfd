package dev.avocado.tools;

import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** tools/avocado as a person runs it: a separate JVM with this test's classpath. */
final class Cli {

    /** What a command printed and how it ended. */
    record Run(int code, String output) {
    }

    /** A command running in the background, its output collected as it comes. */
    static final class Background implements AutoCloseable {
        final Process process;
        private final StringBuffer output = new StringBuffer();
        private final Thread reader;

        Background(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (output) {
                            output.append(line).append('\n');
                            output.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String output() {
            return output.toString();
        }

        /** Waits until a line of output matches; fails with the output seen otherwise. */
        String awaitLine(Predicate<String> wanted, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            synchronized (output) {
                while (true) {
                    for (String line : output.toString().split("\n")) {
                        if (wanted.test(line)) {
                            return line;
                        }
                    }
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                        throw new AssertionError("no such line within " + millis + " ms; output:\n" + output);
                    }
                    output.wait(Math.min(left, 200));
                }
            }
        }

        Run await(long seconds) throws InterruptedException {
            assertTrue("ended within " + seconds + " s:\n" + output, process.waitFor(seconds, TimeUnit.SECONDS));
            reader.join(5000);
            return new Run(process.exitValue(), output());
        }

        /** SIGKILL: a power cut. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private Cli() {
    }

    static Run run(String... args) throws Exception {
        return start(args).await(240);
    }

    static Background start(String... args) throws IOException {
        return startIn(null, args);
    }

    /** The command line with these environment variables added (a TPM behind tabrmd needs its bus). */
    static Run runWith(java.util.Map<String, String> env, String... args) throws Exception {
        return startIn(null, env, args).await(240);
    }

    /**
     * A server started by the command line in network namespace {@code netns} (null: this one), once it
     * printed the line that starts with {@code ready}.
     */
    static Background serve(String netns, String ready, String... args) throws Exception {
        Background b = startIn(netns, args);
        try {
            b.awaitLine(l -> l.startsWith(ready), 60_000);
        } catch (Exception | AssertionError e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** The command line in network namespace {@code netns} (null: this one). */
    static Background startIn(String netns, String... args) throws IOException {
        return startIn(netns, java.util.Map.of(), args);
    }

    static Background startIn(String netns, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Davocado.home=" + System.getProperty("avocado.home"), "-cp", classpath(),
                AvocadoCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new Background(pb.start());
    }

    /**
     * The test's class path without the partition bundles: the pledge bundle embeds SLF4J with its own
     * provider for Felix, which would be a second provider in a plain JVM.
     */
    private static String classpath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("avocado-brski")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** A device image booted by its own start script: the process is the device's JVM. */
    static Background device(dev.avocado.launcher.DeviceImage image, String... args) throws IOException {
        return new Background(DeviceProcess.start(image, List.of(args)).redirectErrorStream(true).start());
    }

    /** Any other program (openssl, tpm2-tools), its output collected. */
    static Run exec(String... command) throws Exception {
        return new Background(new ProcessBuilder(command).redirectErrorStream(true).start()).await(60);
    }

    /** {@code ip ARGS}, which must succeed. */
    static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Run r = exec(cmd.toArray(String[]::new));
        org.junit.Assert.assertEquals(String.join(" ", cmd) + ": " + r.output(), 0, r.code());
    }

    /**
     * Deletes the network namespaces that killed runs left: named {@code PREFIX-PID} (a prefix matching
     * {@code prefixes}) after a test JVM that is gone.
     */
    static void deleteStaleNamespaces(String prefixes) throws Exception {
        for (String old : exec("ip", "netns", "list").output().lines().map(l -> l.split(" ")[0]).toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:" + prefixes + ")-(\\d+)").matcher(old);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                exec("ip", "netns", "del", old);
            }
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
