package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Registrars and MASAs as processes on one PostgreSQL behind HAProxy (TCP mode), as an owner and a
 * manufacturer scale them out: pledges onboard through one registrar and one MASA behind the load
 * balancer, then through all of them, in turn, round after round. Both setups go through HAProxy, so
 * the ratio between them is what spreading the load over instances costs or gains, on this machine's
 * cores; the CPU each process spent per onboarding tells where the time went.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Onboardings per second through HAProxy: one registrar and one MASA against several of each.")
final class ScaleBench implements Callable<Integer> {

    @Option(names = "--db", required = true, paramLabel = "JDBC_URL", description = "The PostgreSQL every instance "
            + "shares (jdbc:postgresql://HOST:PORT/DB?user=U).")
    String db;

    @Option(names = "--registrars", defaultValue = "3", description = "Registrar instances. Default: ${DEFAULT-VALUE}.")
    int registrars;

    @Option(names = "--masas", defaultValue = "2", description = "MASA instances. Default: ${DEFAULT-VALUE}.")
    int masas;

    @Option(names = "--pledges", defaultValue = "1000", description = "Counted onboardings per setup and round. Default: "
            + "${DEFAULT-VALUE}.")
    int pledges;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each both setups in turn. Default: "
            + "${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--warmup", defaultValue = "600", description = "Onboardings per setup before the clock. Default: "
            + "${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "8", description = "Pledges at a time. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--server-jvm", defaultValue = "-Xmx160m", paramLabel = "OPTIONS", description = "The servers' JVM "
            + "options. Default: ${DEFAULT-VALUE}.")
    String serverJvm;

    /** One way in: a registrar frontend, the MASA frontend its pledges' IDevIDs name, and who serves behind them. */
    private record Setup(String name, URI registrar, int masaFront, List<ServerProcess> behind) {
    }

    @Override
    public Integer call() throws Exception {
        BrskiBench.QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
        Path dir = Files.createTempDirectory("avocado-scale-bench");
        List<ServerProcess> all = new ArrayList<>();
        try {
            Pki pki = new Pki(dir.resolve("pki"));
            int[] fronts = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
            pki.init("Scale", "https://127.0.0.1:1", "127.0.0.1:" + fronts[1], "Scale Owner",
                    "https://127.0.0.1:" + fronts[2]);
            List<Integer> registrarPorts = new ArrayList<>();
            List<Integer> masaPorts = new ArrayList<>();
            List<ServerProcess> registrarsUp = new ArrayList<>();
            List<ServerProcess> masasUp = new ArrayList<>();
            for (int i = 0; i < masas; i++) {
                int port = Ports.free();
                masasUp.add(ServerProcess.start(dir, "masa" + i, "MASA: https", serverJvm, 0, "masa", "serve", "--pki",
                        pki.folder().toString(), "--db", db, "--port", Integer.toString(port), "--ownership", "first-claim"));
                masaPorts.add(port);
            }
            for (int i = 0; i < registrars; i++) {
                int port = Ports.free();
                registrarsUp.add(ServerProcess.start(dir, "registrar" + i, "registrar: https", serverJvm, 0, "registrar",
                        "serve", "--pki", pki.folder().toString(), "--db", db, "--port", Integer.toString(port), "--no-dns-sd",
                        "--approval", "auto"));
                registrarPorts.add(port);
            }
            all.addAll(masasUp);
            all.addAll(registrarsUp);
            var frontends = Haproxy.frontends();
            frontends.put("masa1", new Haproxy.Frontend(fronts[0], masaPorts.subList(0, 1)));
            frontends.put("masaN", new Haproxy.Frontend(fronts[1], masaPorts));
            frontends.put("registrar1", new Haproxy.Frontend(fronts[3], registrarPorts.subList(0, 1)));
            frontends.put("registrarN", new Haproxy.Frontend(fronts[2], registrarPorts));
            List<ServerProcess> one = List.of(masasUp.get(0), registrarsUp.get(0));
            Setup single = new Setup("1 registrar + 1 MASA", URI.create("https://127.0.0.1:" + fronts[3]), fronts[0], one);
            Setup scaled = new Setup(registrars + " registrars + " + masas + " MASAs", URI.create("https://127.0.0.1:"
                    + fronts[2]), fronts[1], all);
            try (Haproxy lb = Haproxy.start(dir, frontends)) {
                String run = Long.toHexString(System.nanoTime());
                List<Setup> setups = List.of(single, scaled);
                int cores = Runtime.getRuntime().availableProcessors();
                System.out.printf(Locale.ROOT, "scale bench: %d pledges per setup and round after %d to warm up, %d rounds, "
                        + "%d concurrent, %d cores, servers as processes with %s, HAProxy in TCP mode, database %s%n",
                        pledges, warmup, rounds, concurrency, cores, serverJvm, db.replaceAll("password=[^&]*", "password=***"));
                for (Setup s : setups) {
                    load(pki, s, pledges(pki, s, run + "w", warmup));
                }
                double[][] rates = new double[setups.size()][rounds];
                double[][] cpu = new double[setups.size()][2];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < setups.size(); i++) {
                        Setup s = setups.get(i);
                        List<BrskiBench.Pledge> list = pledges(pki, s, run + "r" + r, pledges);
                        double servers = cpu(s.behind());
                        double proxy = lb.cpuSeconds();
                        rates[i][r] = load(pki, s, list);
                        cpu[i][0] += (cpu(s.behind()) - servers) / pledges / rounds;
                        cpu[i][1] += (lb.cpuSeconds() - proxy) / pledges / rounds;
                        all.forEach(ServerProcess::alive);
                        System.out.printf(Locale.ROOT, "  round %d, %-26s %8.1f onboardings/s%n", r + 1, s.name() + ":",
                                rates[i][r]);
                    }
                }
                for (int i = 0; i < setups.size(); i++) {
                    System.out.printf(Locale.ROOT, "  %-26s median %6.1f onboardings/s; CPU per onboarding: servers' processes "
                            + "%.3f ms, HAProxy %.3f ms%n", setups.get(i).name() + ":", median(rates[i]), cpu[i][0] * 1000,
                            cpu[i][1] * 1000);
                }
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = rates[1][r] / rates[0][r];
                }
                System.out.printf(Locale.ROOT, "  ratio scaled / single: median %.2f (rounds %s)%n", median(ratio),
                        Arrays.stream(ratio).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
            }
            return 0;
        } finally {
            for (ServerProcess s : all) {
                s.close();
            }
            ImageBuilder.deleteTree(dir);
        }
    }

    /** Pledges made before the clock, whose IDevIDs name the setup's MASA frontend. */
    private static List<BrskiBench.Pledge> pledges(Pki pki, Setup s, String run, int n) throws Exception {
        return BrskiBench.pledges(pki, "S" + run + "-" + s.masaFront(), "127.0.0.1:" + s.masaFront(), n);
    }

    /** Every pledge of the list through the setup, {@code concurrency} at a time; onboardings per second. */
    private double load(Pki pki, Setup s, List<BrskiBench.Pledge> list) throws Exception {
        long[] times = BrskiBench.load(s.registrar(), pki, list, concurrency);
        return list.size() / (times[list.size()] / 1e9);
    }

    private static double cpu(List<ServerProcess> servers) throws java.io.IOException {
        double sum = 0;
        for (ServerProcess p : servers) {
            sum += p.cpuSeconds();
        }
        return sum;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
