package dev.avocado.boot.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * Waiting without polling for what the boot needs to arrive: the device's key service (woken by its
 * DS bind) and the configuration files FileInstall hands to Config Admin (woken by Config Admin's
 * events, this object being a {@link ConfigurationListener}). The condition is read outside the lock
 * (it calls Config Admin, whose event thread wakes us: no foreign call is made under our monitor),
 * and a change counter taken before the reading makes a change during it end the wait.
 */
final class Arrivals implements ConfigurationListener {

    private long changes; // guarded by this

    /** Something the boot may wait for has changed: read the condition again. */
    synchronized void changed() {
        changes++;
        notifyAll();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        changed();
    }

    /**
     * The condition's value as soon as it is not null, or null when {@code timeout} passed first.
     *
     * @throws InterruptedException when the boot is being replaced
     */
    <T> T await(Supplier<T> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            synchronized (this) {
                seen = changes;
            }
            T value = condition.get();
            if (value != null) {
                return value;
            }
            synchronized (this) {
                while (changes == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
        }
    }
}
