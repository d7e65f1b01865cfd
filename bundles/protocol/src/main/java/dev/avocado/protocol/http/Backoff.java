package dev.avocado.protocol.http;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, so a line of devices coming up together does not retry in step. */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private int attempt;

    public Backoff(long initialMillis, long maxMillis) {
        this.initialMillis = Math.max(1, initialMillis);
        this.maxMillis = Math.max(this.initialMillis, maxMillis);
    }

    /** The next wait: doubling up to the maximum, then a random half to whole of it. */
    public long next() {
        long base = Math.min(maxMillis, initialMillis << Math.min(attempt++, 20));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
