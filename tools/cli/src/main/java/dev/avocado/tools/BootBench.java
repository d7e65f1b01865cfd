package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Cold boot of a device image to the Gogo prompt against bare Felix + SCR + Gogo, alternating runs in
 * one invocation so both see the same machine; reports medians, their ratio and the RSS at the prompt.
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = "Cold boot to the shell prompt: the device image against bare Felix 7.0.5 + SCR + Gogo.")
final class BootBench implements Callable<Integer> {

    /** The JVM options of p1/bin/avocado-device, used for both sides. */
    static final String JAVA_OPTS = "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";
    private static final String[] BARE_BUNDLES = {"org.osgi.util.function.jar", "org.osgi.util.promise.jar",
        "org.osgi.service.component.jar", "org.apache.felix.scr.jar", "org.apache.felix.gogo.runtime.jar",
        "org.apache.felix.gogo.command.jar", "org.apache.felix.gogo.shell.jar"};

    @Option(names = "--image", required = true, paramLabel = "IMAGE")
    Path image;

    @Option(names = "--runs", defaultValue = "10", description = "Runs of each. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--java-opts", defaultValue = JAVA_OPTS,
            description = "JVM options for both sides. Default: the start script's, ${DEFAULT-VALUE}.")
    String javaOpts;

    /** One boot: time to the prompt and resident memory then. */
    record Sample(double seconds, long rssKiB) {
    }

    @Override
    public Integer call() throws Exception {
        DeviceImage img = DeviceImage.at(image).check();
        Path cache = Files.createTempDirectory("avocado-bare-felix");
        List<String> bare = new ArrayList<>(List.of(javaBin()));
        bare.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        bare.addAll(List.of("-cp", ownJar() + ":" + img.p1().resolve("launcher/org.apache.felix.framework.jar"),
                BareFelix.class.getName(), cache.toString()));
        for (String b : BARE_BUNDLES) {
            bare.add(img.p1().resolve("bundles").resolve(b).toString());
        }
        List<Sample> device = new ArrayList<>();
        List<Sample> baseline = new ArrayList<>();
        measure(deviceProcess(img, javaOpts)); // warm the page cache for both before counting
        measure(new ProcessBuilder(bare));
        for (int i = 0; i < runs; i++) {
            device.add(measure(deviceProcess(img, javaOpts)));
            baseline.add(measure(new ProcessBuilder(bare)));
        }
        Sample d = median(device);
        Sample b = median(baseline);
        System.out.printf(Locale.ROOT, "runs: %d each, alternating; JVM options: %s%n", runs, javaOpts);
        System.out.printf(Locale.ROOT, "device image to shell prompt:      median %.3f s, RSS %d MiB%n", d.seconds(), d.rssKiB() / 1024);
        System.out.printf(Locale.ROOT, "bare Felix + SCR + Gogo to prompt: median %.3f s, RSS %d MiB%n", b.seconds(), b.rssKiB() / 1024);
        System.out.printf(Locale.ROOT, "ratio device / bare:               time %.2f, RSS %.2f%n",
                d.seconds() / b.seconds(), (double) d.rssKiB() / b.rssKiB());
        ImageBuilder.deleteTree(cache);
        return 0;
    }

    private static ProcessBuilder deviceProcess(DeviceImage img, String javaOpts) {
        ProcessBuilder pb = DeviceProcess.start(img, List.of());
        pb.environment().put("AVOCADO_JAVA_OPTS", javaOpts);
        return pb;
    }

    /** Starts the process, waits for the Gogo prompt on its output, reads its RSS, stops it. */
    private static Sample measure(ProcessBuilder pb) throws IOException, InterruptedException {
        pb.redirectErrorStream(true);
        long start = System.nanoTime();
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            int r;
            while ((r = in.read(buf)) > 0) {
                seen.append(new String(buf, 0, r, StandardCharsets.UTF_8));
                if (seen.indexOf("g! ") >= 0) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long rss = rssKiB(p.pid());
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                    return new Sample(seconds, rss);
                }
            }
            throw new IOException("no shell prompt; output was:\n" + seen);
        } finally {
            p.destroyForcibly();
        }
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static Sample median(List<Sample> samples) {
        double[] t = samples.stream().mapToDouble(Sample::seconds).sorted().toArray();
        long[] m = samples.stream().mapToLong(Sample::rssKiB).sorted().toArray();
        return new Sample(t[t.length / 2], m[m.length / 2]);
    }

    private static String javaBin() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String ownJar() throws Exception {
        return Path.of(BootBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
