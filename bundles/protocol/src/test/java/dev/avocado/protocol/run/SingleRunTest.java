package dev.avocado.protocol.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.osgi.util.promise.Promise;

public class SingleRunTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final SingleRun<String> run = new SingleRun<>(executor, "onboarding", logged::add);

    @After
    public void stop() {
        executor.shutdownNow();
    }

    @Test
    public void askingAgainWhileARunIsOnGetsTheSamePromise() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Promise<String> first = run.start(() -> {
            release.await();
            return "LDevID";
        });
        assertSame(first, run.start(() -> "a second run"));
        assertTrue(run.running());
        release.countDown();
        assertEquals("LDevID", first.getValue());
        assertFalse(run.running());
        assertEquals("again", run.start(() -> "again").getValue());
    }

    @Test
    public void aFailureEndsThePromiseWithItsReasonAndIsLogged() throws Exception {
        Throwable t = run.start(() -> {
            throw new IllegalStateException("B: the device has no IDevID to onboard with");
        }).getFailure();
        assertEquals("B: the device has no IDevID to onboard with", t.getMessage());
        assertEquals(List.of("onboarding failed: B: the device has no IDevID to onboard with"), logged);
    }

    @Test
    public void anInterruptedRunIsStoppedNotFailed() throws Exception {
        Throwable t = run.start(() -> {
            throw new InterruptedException();
        }).getFailure();
        assertTrue(t.toString(), t instanceof SingleRun.Stopped);
        assertEquals("onboarding stopped (its service was deactivated)", t.getMessage());
        assertTrue(logged.isEmpty());
    }

    @Test
    public void anErrorStillEndsThePromise() throws Exception {
        Promise<String> p = run.start(() -> {
            throw new OutOfMemoryError("Java heap space");
        });
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals("onboarding stopped by java.lang.OutOfMemoryError: Java heap space", p.getFailure().getMessage());
    }

    /** Asked after its service was deactivated: a stopped promise, not an exception, and not one that never ends. */
    @Test
    public void aStartAfterShutdownEndsStopped() throws Exception {
        executor.shutdownNow();
        Promise<String> p = run.start(() -> "never");
        assertTrue(p.isDone());
        assertTrue(p.getFailure().toString(), p.getFailure() instanceof SingleRun.Stopped);
        assertFalse(run.running());
    }
}
