package dev.avocado.itest;

import static org.junit.Assert.fail;

import java.util.function.Supplier;

/** Polls a condition until it holds; the failure message says what was awaited and what was seen. */
public final class Await {

    private Await() {
    }

    public static void until(String what, long millis, Supplier<Boolean> condition, Supplier<String> seen) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (Boolean.TRUE.equals(condition.get())) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
        if (!Boolean.TRUE.equals(condition.get())) {
            fail("timed out after " + millis + " ms waiting for " + what + "; seen: " + seen.get());
        }
    }
}
