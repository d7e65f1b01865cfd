package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.launcher.DeviceImage;
import dev.avocado.masa.MasaService;
import dev.avocado.registrar.RegistrarService;
import dev.avocado.server.Pki;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmResourceManager;
import dev.avocado.tpm.TpmException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A fresh device image, booted to onboarded: factory, MASA and registrar on this machine, the device
 * as its own process with its start script's JVM options. Runs alternate a device with its keys in
 * the TPM and one with software keys, so the ratio is measured on the same machine state; the TPM
 * runs also count the TPM commands of the whole flow.
 */
@Command(name = "onboard", mixinStandardHelpOptions = true,
        description = "Image boot to onboarded (IDevID, voucher, LDevID, EAP-TLS profile), TPM keys against software keys.")
final class OnboardBench implements Callable<Integer> {

    /** The services log each step; not during a benchmark (held: JUL keeps loggers weakly). */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("dev.avocado.factory",
            "dev.avocado.masa", "dev.avocado.registrar").map(java.util.logging.Logger::getLogger).toList();
    private static final Pattern COMMANDS = Pattern.compile("TPM commands:\\s+(\\d+)");
    /**
     * The device keys' persistent handles (dev.avocado.keys.tpm defaults): a fresh device has neither (its
     * LDevID key is in the token of its own image, made afresh for each run).
     */
    private static final int[] DEVICE_KEY_HANDLES = {0x81020000, 0x81020001};

    @Option(names = "--tcti", required = true, paramLabel = "TCTI", description = "The TPM for the TPM devices (swtpm:port=2321), "
            + "which hold the IDevID key (ESYS) and the LDevID key (tpm2-pkcs11) there; a swtpm gets tpm2-abrmd in front, as "
            + "the demo does; its IDevID key handle is cleared before each run.")
    String tcti;

    /** The TCTI the TPM devices use (through the resource manager for a swtpm) and their environment. */
    private String deviceTcti;
    private java.util.Map<String, String> deviceEnv = java.util.Map.of();

    @Option(names = "--runs", defaultValue = "5", description = "Runs of each. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--java-opts", defaultValue = BootBench.JAVA_OPTS,
            description = "The device JVM's options. Default: the start script's, ${DEFAULT-VALUE}.")
    String javaOpts;

    /** One boot: seconds to provisioned and to onboarded, RSS when onboarded, TPM commands (-1: software keys). */
    record Sample(double provisioned, double onboarded, long rssKiB, long tpmCommands) {
    }

    @Override
    public Integer call() throws Exception {
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
        Path dir = Files.createTempDirectory("avocado-onboard-bench");
        try {
            Pki pki = new Pki(dir.resolve("pki"));
            int factoryPort = Ports.free();
            int masaPort = Ports.free();
            int registrarPort = Ports.free();
            pki.init("Bench", "https://127.0.0.1:" + factoryPort, "127.0.0.1:" + masaPort, "Bench Owner",
                    "https://127.0.0.1:" + registrarPort);
            List<Sample> tpm = new ArrayList<>();
            List<Sample> soft = new ArrayList<>();
            deviceTcti = tcti;
            try (TpmResourceManager rm = tcti.startsWith("swtpm:")
                    ? TpmResourceManager.start(tcti, dir.resolve("bus").resolve("bus"), "dev.avocado.Bench") : null;
                    FactoryService factory = FactoryCommand.start(pki.folder(), "jdbc:h2:file:" + dir.resolve("db/factory"), null,
                    null, null, false, List.of());
                    MasaService masa = MasaCommand.start(pki.folder(), "jdbc:h2:file:" + dir.resolve("db/masa"), null, null,
                            MasaService.Ownership.FIRST_CLAIM, Duration.ofDays(1));
                    RegistrarService registrar = RegistrarCommand.start(pki.folder(), "jdbc:h2:file:" + dir.resolve("db/registrar"),
                            null, null, RegistrarService.Approval.AUTO, List.of(), Duration.ofDays(365), false)) {
                if (rm != null) {
                    deviceTcti = rm.tcti();
                    deviceEnv = rm.environment();
                }
                String url = "https://127.0.0.1:" + registrarPort;
                run(pki, dir, url, "warm-soft", false); // the page cache and the services' JIT, for both kinds
                run(pki, dir, url, "warm-tpm", true);
                for (int i = 0; i < runs; i++) {
                    tpm.add(run(pki, dir, url, "tpm-" + i, true));
                    soft.add(run(pki, dir, url, "soft-" + i, false));
                }
            }
            Sample t = median(tpm);
            Sample s = median(soft);
            System.out.printf(Locale.ROOT, "onboard bench: %d runs each, alternating; device JVM options: %s%n", runs, javaOpts);
            System.out.printf(Locale.ROOT, "  TPM keys (%s):  provisioned %.2f s, onboarded %.2f s, RSS %d MiB, %d TPM commands "
                    + "of the ESYS key service (tpm2-pkcs11's own are not in this count)%n", tcti, t.provisioned(), t.onboarded(), t.rssKiB() / 1024, t.tpmCommands());
            System.out.printf(Locale.ROOT, "  software keys:%s provisioned %.2f s, onboarded %.2f s, RSS %d MiB%n",
                    " ".repeat(Math.max(1, tcti.length() + 1)), s.provisioned(), s.onboarded(), s.rssKiB() / 1024);
            System.out.printf(Locale.ROOT, "  ratio TPM / software:  to onboarded %.2f, RSS %.2f%n", t.onboarded() / s.onboarded(),
                    (double) t.rssKiB() / s.rssKiB());
            return 0;
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    /** One fresh device from image build to onboarded. */
    private Sample run(Pki pki, Path dir, String registrarUrl, String name, boolean withTpm) throws Exception {
        if (withTpm) {
            clearDeviceKeys();
        }
        DeviceImage image = new ImageBuilder(pki, Home.partitions(), new PrintStream(new ByteArrayOutputStream()))
                .build(dir.resolve(name), null, false, withTpm ? "tpm" : "soft", withTpm ? deviceTcti : null, null,
                        MprAnchoring.Content.CERTIFICATE, "BENCH-" + name.toUpperCase(Locale.ROOT));
        DeviceConfig.onboarding(image, registrarUrl, null, null);
        ProcessBuilder pb = DeviceProcess.start(image, List.of()).redirectErrorStream(true);
        pb.environment().put("AVOCADO_JAVA_OPTS", javaOpts);
        pb.environment().putAll(deviceEnv);
        long start = System.nanoTime();
        Process p = pb.start();
        try (InputStream in = p.getInputStream(); OutputStream shell = p.getOutputStream()) {
            StringBuilder seen = new StringBuilder();
            double provisioned = -1;
            double onboarded = -1;
            long rss = -1;
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) > 0) {
                seen.append(new String(buf, 0, r, StandardCharsets.UTF_8));
                if (provisioned < 0 && seen.indexOf("[device] provisioned:") >= 0) {
                    provisioned = (System.nanoTime() - start) / 1e9;
                }
                if (onboarded < 0 && seen.indexOf("[device] onboarded:") >= 0) {
                    onboarded = (System.nanoTime() - start) / 1e9;
                    rss = BootBench.rssKiB(p.pid());
                    if (!withTpm) {
                        return new Sample(provisioned, onboarded, rss, -1);
                    }
                    shell.write("tpm:info\n".getBytes(StandardCharsets.UTF_8));
                    shell.flush();
                }
                if (seen.indexOf("[device] failed:") >= 0) {
                    throw new IOException(name + ": the device failed:\n" + seen);
                }
                Matcher m = COMMANDS.matcher(seen);
                if (onboarded > 0 && m.find()) {
                    return new Sample(provisioned, onboarded, rss, Long.parseLong(m.group(1)));
                }
            }
            throw new IOException(name + ": the device stopped before it was onboarded:\n" + seen);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private void clearDeviceKeys() throws TpmException, IOException, InterruptedException {
        if (!deviceEnv.isEmpty()) {
            // through the resource manager, whose bus this JVM cannot reach (its address is in the environment
            // of the processes it starts): tpm2-tools, as the device's own processes would
            for (int h : DEVICE_KEY_HANDLES) {
                ProcessBuilder pb = new ProcessBuilder("tpm2_evictcontrol", "-C", "o", "-c", String.format("0x%08x", h))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().putAll(deviceEnv);
                pb.start().waitFor(30, TimeUnit.SECONDS); // fails when the handle is empty, which is fine
            }
            return;
        }
        try (Tpm t = Tpm.open(deviceTcti)) {
            List<Integer> present = t.persistentHandles();
            for (int h : DEVICE_KEY_HANDLES) {
                if (present.contains(h)) {
                    t.evict(h);
                }
            }
        }
    }

    private static Sample median(List<Sample> samples) {
        return new Sample(mid(samples.stream().mapToDouble(Sample::provisioned).sorted().toArray()),
                mid(samples.stream().mapToDouble(Sample::onboarded).sorted().toArray()),
                (long) mid(samples.stream().mapToDouble(Sample::rssKiB).sorted().toArray()),
                (long) mid(samples.stream().mapToDouble(Sample::tpmCommands).sorted().toArray()));
    }

    private static double mid(double[] sorted) {
        return sorted[sorted.length / 2];
    }
}
