package dev.avocado.tools;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * TPM operation latency through the project's own stack (JNA, ESYS): sign, create, load, connect, and
 * the TPM commands each one sends; a software ECDSA signature measured in the same run for the ratio.
 */
@Command(name = "tpm", mixinStandardHelpOptions = true,
        description = "Latency of TPM sign, create and load through the key service's stack, with command counts.")
final class TpmBench implements Callable<Integer> {

    private static final int SRK = 0x81000001;
    private static final int BENCH_KEY = 0x810200FE;

    @Option(names = "--tcti", required = true, paramLabel = "TCTI", description = "The TPM to measure (swtpm:port=2321).")
    String tcti;

    @Option(names = "--runs", defaultValue = "200", description = "Operations of each kind. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Override
    public Integer call() throws Exception {
        long[] open = new long[Math.min(runs, 20)];
        for (int i = 0; i < open.length; i++) {
            long t = System.nanoTime();
            Tpm.open(tcti).close();
            open[i] = System.nanoTime() - t;
        }
        try (Tpm tpm = Tpm.open(tcti)) {
            System.out.println("TPM: " + tpm.info() + " via " + tcti);
            tpm.ensureStorageRoot(SRK);
            tpm.evict(BENCH_KEY);
            tpm.createSigningKey(SRK, BENCH_KEY, KeyAlgorithm.EC_P256);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest("bench".getBytes());
            for (int i = 0; i < 20; i++) {
                tpm.sign(BENCH_KEY, SignatureScheme.ECDSA_SHA256, digest); // warm the JIT and the ESYS handle
            }

            long[] sign = new long[runs];
            long before = tpm.commandCount();
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                tpm.sign(BENCH_KEY, SignatureScheme.ECDSA_SHA256, digest);
                sign[i] = System.nanoTime() - t;
            }
            double signCommands = (tpm.commandCount() - before) / (double) runs;

            int keys = Math.max(5, runs / 10);
            long[] create = new long[keys];
            long[] load = new long[keys];
            Tpm.WrappedKey[] wrapped = new Tpm.WrappedKey[keys];
            before = tpm.commandCount();
            for (int i = 0; i < keys; i++) {
                long t = System.nanoTime();
                wrapped[i] = tpm.createWrapped(SRK, KeyAlgorithm.EC_P256);
                create[i] = System.nanoTime() - t;
            }
            double createCommands = (tpm.commandCount() - before) / (double) keys;
            before = tpm.commandCount();
            for (int i = 0; i < keys; i++) {
                long t = System.nanoTime();
                int object = tpm.load(SRK, wrapped[i]);
                load[i] = System.nanoTime() - t;
                tpm.flushTransient(object);
            }
            double loadCommands = (tpm.commandCount() - before) / (double) keys - 1; // minus the flush
            long[] rsa = new long[Math.max(3, runs / 50)];
            for (int i = 0; i < rsa.length; i++) {
                long t = System.nanoTime();
                tpm.createWrapped(SRK, KeyAlgorithm.RSA_2048);
                rsa[i] = System.nanoTime() - t;
            }
            long[] persist = new long[Math.max(3, runs / 20)];
            before = tpm.commandCount();
            for (int i = 0; i < persist.length; i++) {
                tpm.evict(BENCH_KEY);
                long t = System.nanoTime();
                tpm.createSigningKey(SRK, BENCH_KEY, KeyAlgorithm.EC_P256);
                persist[i] = System.nanoTime() - t;
            }
            double persistCommands = (tpm.commandCount() - before) / (double) persist.length - 1; // minus the evict
            tpm.evict(BENCH_KEY);
            if (!tpm.transientHandles().isEmpty()) {
                throw new TpmException("transient objects left behind: " + tpm.transientHandles());
            }

            long[] soft = softwareSign(runs);
            System.out.printf(Locale.ROOT, "runs: %d signatures, %d keys; times in ms (median / 90th percentile)%n", runs, keys);
            row("TPM2_Sign, ECDSA P-256 (a device signature)", sign, signCommands);
            row("TPM2_Create, ECC P-256 (wrapped key)", create, createCommands);
            row("TPM2_Load of that key", load, loadCommands);
            row("create + load + persist (device key creation)", persist, persistCommands);
            row("TPM2_Create, RSA 2048", rsa, 1);
            row("connect (TCTI + ESYS init + GetCapability)", open, 1);
            row("software ECDSA P-256 sign (BouncyCastle)", soft, 0);
            System.out.printf(Locale.ROOT, "ratio TPM sign / software sign: %.0f%n", median(sign) / median(soft));
        }
        return 0;
    }

    private static long[] softwareSign(int runs) throws Exception {
        KeyPair key = KeyPairs.ecP256();
        Signature s = Signature.getInstance("SHA256withECDSA", Bc.PROVIDER);
        byte[] data = "bench".getBytes();
        for (int i = 0; i < 2000; i++) {
            s.initSign(key.getPrivate());
            s.update(data);
            s.sign();
        }
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            s.initSign(key.getPrivate());
            s.update(data);
            s.sign();
            times[i] = System.nanoTime() - t;
        }
        return times;
    }

    private static void row(String what, long[] nanos, double commands) {
        System.out.printf(Locale.ROOT, "  %-48s %8.3f / %8.3f   TPM commands per operation: %s%n", what,
                median(nanos) / 1e6, percentile(nanos, 0.9) / 1e6, commands == 0 ? "-" : String.format(Locale.ROOT, "%.1f", commands));
    }

    private static double median(long[] v) {
        return percentile(v, 0.5);
    }

    private static double percentile(long[] v, double p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))];
    }
}
