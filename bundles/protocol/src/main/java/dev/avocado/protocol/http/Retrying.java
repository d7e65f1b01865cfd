package dev.avocado.protocol.http;

import java.time.Duration;
import java.util.Optional;

/**
 * The device's one retry loop: runs an attempt until it returns; an attempt that throws {@link Again}
 * is tried again after the server's Retry-After (at most the longest wait) or the next backoff, told to
 * the listener first; any other exception ends the loop. The wait is a {@link Waiter}, so a test
 * records the waits instead of sleeping through them.
 */
public final class Retrying {

    /** An attempt that did not work and may work later; the message says what went wrong. */
    public static class Again extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        public Again(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Again(String message) {
            this(message, null);
        }

        /** When the server asked to be asked again (HTTP Retry-After), if it did. */
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }
    }

    /** One attempt: its result, or {@link Again}, or any other exception to give up with. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Exception;
    }

    /** Told before each wait: why the attempt is tried again, and in how many milliseconds. */
    @FunctionalInterface
    public interface Listener {
        void retrying(Again why, long waitMillis);
    }

    /** How the loop waits; {@link Thread#sleep(long)} on a device. */
    @FunctionalInterface
    public interface Waiter {
        void await(long millis) throws InterruptedException;
    }

    private final Backoff backoff;
    private final Duration longest;
    private final Waiter waiter;

    public Retrying(Backoff backoff, Duration longest, Waiter waiter) {
        this.backoff = backoff;
        this.longest = longest;
        this.waiter = waiter;
    }

    /** Backoff from {@code initial} doubling up to {@code longest}, waiting with {@code waiter}. */
    public static Retrying withBackoff(Duration initial, Duration longest, Waiter waiter) {
        return new Retrying(new Backoff(initial.toMillis(), longest.toMillis()), longest, waiter);
    }

    /**
     * The first result of {@code attempt}.
     *
     * @throws InterruptedException when the wait is interrupted (the caller is being stopped)
     * @throws Exception whatever the attempt gave up with
     */
    public <T> T until(Attempt<T> attempt, Listener listener) throws Exception {
        while (true) {
            try {
                return attempt.run();
            } catch (Again again) {
                long wait = again.retryAfter().map(this::capped).orElseGet(backoff::next);
                listener.retrying(again, wait);
                waiter.await(wait);
            }
        }
    }

    /** A server's Retry-After in milliseconds, at most the longest wait; the longest wait when it said none. */
    public long capped(Duration retryAfter) {
        return retryAfter == null ? longest.toMillis() : Math.max(0, Math.min(retryAfter.toMillis(), longest.toMillis()));
    }

    /** The words every retry ends with: {@code trying again in 3 s}. */
    public static String tryingAgainIn(long millis) {
        return "trying again in " + (millis + 999) / 1000 + " s";
    }
}
