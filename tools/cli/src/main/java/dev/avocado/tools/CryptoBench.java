package dev.avocado.tools;

import dev.avocado.server.ServerCrypto;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The raw P-256 operations of every provider this JVM has: what the benchmarks' bounds are made of. */
@Command(name = "crypto", mixinStandardHelpOptions = true,
        description = "P-256 sign, verify (a key seen once), key pair and ECDH in SunEC, BouncyCastle and Conscrypt.")
final class CryptoBench implements Callable<Integer> {

    @Option(names = "--millis", defaultValue = "1000", description = "Counted milliseconds per figure (after as long "
            + "to warm up). Default: ${DEFAULT-VALUE}.")
    long millis;

    @Override
    public Integer call() throws Exception {
        ServerCrypto.install(); // Conscrypt's provider, as the servers have it
        System.out.println("raw P-256, one thread, microseconds per operation (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + "):");
        RawCrypto.Best best = RawCrypto.measure(millis, op -> System.out.printf(java.util.Locale.ROOT, "  %-10s %-9s %8.1f%n",
                op.provider(), op.what(), op.micros()));
        System.out.println("best: " + best.sign() + ", " + best.verify() + ", " + best.keyPair() + ", " + best.ecdh());
        return 0;
    }
}
