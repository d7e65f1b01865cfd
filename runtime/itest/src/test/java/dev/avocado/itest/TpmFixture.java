package dev.avocado.itest;

import dev.avocado.tpm.testing.Swtpm;
import java.io.IOException;

/**
 * A software TPM for a test class, started before its framework and stopped with the JVM. Kept out of
 * the test classes: their probe bundle inside Felix cannot see the swtpm harness.
 */
final class TpmFixture {

    private TpmFixture() {
    }

    /** Starts swtpm; returns its TCTI string. */
    static String start() throws IOException, InterruptedException {
        Swtpm swtpm = Swtpm.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                swtpm.close();
            } catch (IOException e) {
                // the JVM ends anyway
            }
        }));
        return swtpm.tcti();
    }
}
