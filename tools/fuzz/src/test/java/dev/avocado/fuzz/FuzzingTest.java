package dev.avocado.fuzz;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.fail;

import dev.avocado.launcher.ManifestFuzzer;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Each harness: its seeds and every past finding (src/test/resources/findings/HARNESS/) replayed in
 * this JVM, then {@code fuzz.seconds} of coverage-guided fuzzing by Jazzer in a JVM of its own (its
 * agent instruments the classes it loads). A finding fails the test with the input Jazzer saved; it
 * then belongs in findings/ (and its fix in a unit test of the parser's module).
 */
@RunWith(Parameterized.class)
public class FuzzingTest {

    static final List<Class<?>> HARNESSES = List.of(VoucherCmsFuzzer.class, VoucherJsonFuzzer.class, CsrFuzzer.class,
            EstCertsFuzzer.class, CsrAttrsFuzzer.class, DppUriFuzzer.class, ManifestFuzzer.class);

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> harnesses() {
        return HARNESSES.stream().map(h -> new Object[] {h.getSimpleName(), h}).toList();
    }

    private final Class<?> harness;

    public FuzzingTest(String name, Class<?> harness) {
        this.harness = harness;
    }

    private Path work() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("fuzz.work", "target/fuzz")).resolve(harness.getSimpleName()));
    }

    private void runOne(byte[] input, String what) throws Exception {
        Method m = harness.getMethod("fuzzerTestOneInput", byte[].class);
        try {
            m.invoke(null, (Object) input);
        } catch (InvocationTargetException e) {
            throw new AssertionError(harness.getSimpleName() + " on " + what + ": " + e.getCause(), e.getCause());
        }
    }

    @Test
    public void seedsAndPastFindingsAreRefusedOrTakenCleanly() throws Exception {
        Map<String, byte[]> seeds = Seeds.of(harness);
        assertFalse(seeds.isEmpty());
        Path seedDir = Files.createDirectories(work().resolve("seeds"));
        for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
            Files.write(seedDir.resolve(s.getKey()), s.getValue());
            runOne(s.getValue(), "seed " + s.getKey());
        }
        Path findings = Path.of("src/test/resources/findings", harness.getSimpleName());
        if (Files.isDirectory(findings)) {
            try (Stream<Path> files = Files.list(findings)) {
                for (Path f : files.sorted().toList()) {
                    runOne(Files.readAllBytes(f), "finding " + f);
                }
            }
        }
    }

    @Test
    public void jazzerFindsNothingInItsTime() throws Exception {
        int seconds = Integer.getInteger("fuzz.seconds", 0);
        // -Dfuzz.seconds=0: replay only (the seeds and findings above); said as skipped, not passed
        org.junit.Assume.assumeTrue("fuzz.seconds=0: no fuzzing", seconds > 0);
        Path dir = work();
        Path seeds = Files.createDirectories(dir.resolve("seeds"));
        for (Map.Entry<String, byte[]> s : Seeds.of(harness).entrySet()) {
            Files.write(seeds.resolve(s.getKey()), s.getValue());
        }
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Path artifacts = dir.resolve("artifacts");
        if (Files.isDirectory(artifacts)) {
            try (Stream<Path> old = Files.list(artifacts)) {
                for (Path f : old.toList()) {
                    Files.delete(f); // what an earlier run found is in findings/ or fixed
                }
            }
        }
        Files.createDirectories(artifacts);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading", "-Xmx1g", "-cp", classPath(), "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + harness.getName(),
                "--instrumentation_includes=dev.avocado.**:org.bouncycastle.asn1.**:org.bouncycastle.cms.**"
                        + ":org.bouncycastle.cert.**:org.bouncycastle.pkcs.**:com.fasterxml.jackson.**",
                "--reproducer_path=" + artifacts, "-artifact_prefix=" + artifacts + File.separator,
                "-max_total_time=" + seconds, "-rss_limit_mb=2048", "-timeout=10", corpus.toString(), seeds.toString()));
        Path log = dir.resolve("jazzer.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds + 120L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(harness.getSimpleName() + ": Jazzer did not end within " + (seconds + 120) + " s; see " + log);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        List<Path> found;
        try (Stream<Path> files = Files.list(artifacts)) {
            found = files.filter(f -> f.getFileName().toString().matches("(crash|timeout|oom|leak|slow-unit)-.*")).toList();
        }
        if (p.exitValue() != 0 || !found.isEmpty()) {
            fail(harness.getSimpleName() + ": Jazzer exit " + p.exitValue() + ", findings " + found + "\n"
                    + tail(out, 60) + "\nlog: " + log);
        }
        assertEquals(0, p.exitValue());
        if (!out.contains("Done ") && !out.contains("DONE")) {
            fail(harness.getSimpleName() + ": Jazzer ended without finishing its run:\n" + tail(out, 30));
        }
    }

    private static String classPath() throws IOException {
        Path file = Path.of(System.getProperty("fuzz.classpath.file", "target/fuzz.classpath"));
        return Path.of("target/classes").toAbsolutePath() + File.pathSeparator + Path.of("target/test-classes").toAbsolutePath()
                + File.pathSeparator + Files.readString(file).strip();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
