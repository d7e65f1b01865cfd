package dev.avocado.protocol.run;

import dev.avocado.protocol.http.Failures;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;

/**
 * One run at a time, on the service's own thread: asking again while a run is on returns its promise.
 * The run's failure ends the promise with its reason (an Error too, so nobody waits for ever); an
 * interrupted run (the service was deactivated) ends it as stopped, which is no failure of the device.
 */
public final class SingleRun<T> {

    /** The work of one run: its result, or why not. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    private final Executor executor;
    private final PromiseFactory promises;
    private final String what;
    private final Consumer<String> log;
    private Promise<T> running; // guarded by this

    /**
     * @param what the run's name in messages, for example "IDevID provisioning"
     * @param log told each failure in words
     */
    public SingleRun(Executor executor, String what, Consumer<String> log) {
        this.executor = executor;
        this.promises = new PromiseFactory(executor);
        this.what = what;
        this.log = log;
    }

    /** Starts {@code work}, or returns the promise of the run that is on. */
    public synchronized Promise<T> start(Work<T> work) {
        if (running != null && !running.isDone()) {
            return running;
        }
        Deferred<T> deferred = promises.deferred();
        running = deferred.getPromise();
        try {
            executor.execute(() -> run(work, deferred));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the service is being deactivated: its run ends as stopped, and the next start tries again
            deferred.fail(new Stopped(what + " stopped (its service was deactivated)"));
        }
        return running;
    }

    private void run(Work<T> work, Deferred<T> deferred) {
        try {
            deferred.resolve(work.run());
        } catch (InterruptedException e) {
            deferred.fail(new Stopped(what + " stopped (its service was deactivated)"));
        } catch (Exception e) {
            log.accept(what + " failed: " + Failures.describe(e));
            deferred.fail(e);
        } catch (Error e) {
            // an OutOfMemoryError or a linkage error still ends the promise, with its reason
            log.accept(what + " stopped by " + e);
            deferred.fail(new IllegalStateException(what + " stopped by " + e, e));
        }
    }

    /** True while a run is on. */
    public synchronized boolean running() {
        return running != null && !running.isDone();
    }

    /** A run ended because its service went away (a redeploy, a wipe, a shutdown), not because it failed. */
    public static final class Stopped extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public Stopped(String message) {
            super(message);
        }
    }
}
