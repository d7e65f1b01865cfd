package dev.avocado.boot.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** The boot's waits: woken by a change, not by a clock; a timeout says nothing arrived; no change is lost. */
public class ArrivalsTest {

    private final Arrivals arrivals = new Arrivals();

    @Test
    public void aChangeWakesTheWaitAtOnceAndTheConditionIsReadOnlyWhenWoken() throws Exception {
        AtomicReference<String> service = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return arrivals.await(() -> {
                    reads.incrementAndGet();
                    return service.get();
                }, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        while (reads.get() == 0) {
            Thread.onSpinWait();
        }
        Thread.sleep(200); // the waiter sits in its wait: no reading while nothing changes
        assertEquals("read once, then waited", 1, reads.get());
        long before = System.nanoTime();
        service.set("tpm");
        arrivals.changed();
        assertEquals("tpm", got.get(5, TimeUnit.SECONDS));
        assertTrue("woken by the change, not after a period", System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2));
        assertEquals(2, reads.get());
    }

    @Test
    public void nothingArrivingGivesNullAtTheTimeout() throws Exception {
        long before = System.nanoTime();
        assertNull(arrivals.await(() -> null, Duration.ofMillis(150)));
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(150));
    }

    /** A change made while the condition is being read (before the wait) still ends the wait. */
    @Test
    public void aChangeDuringTheReadIsNotLost() throws Exception {
        AtomicReference<String> value = new AtomicReference<>();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch changedWhileReading = new CountDownLatch(1);
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return arrivals.await(() -> {
                    String v = value.get();
                    if (v == null && reading.getCount() > 0) {
                        reading.countDown();
                        try {
                            // the other thread sets the value and calls changed() now, while this read
                            // is still under way and before the wait has begun
                            changedWhileReading.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return v;
                }, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(reading.await(5, TimeUnit.SECONDS));
        Thread changer = new Thread(() -> {
            value.set("arrived");
            changedWhileReading.countDown();
            arrivals.changed();
        });
        changer.start();
        changer.join(5000); // the change is over before the read returns null and the wait begins
        assertEquals("arrived", got.get(5, TimeUnit.SECONDS));
    }
}
