package dev.avocado.boot.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * Waiting without polling for what the boot needs to arrive: the device's key service (woken by its
 * DS bind) and the configuration files FileInstall hands to Config Admin (woken by Config Admin's
 * events, this object being a {@link ConfigurationListener}). A condition is read under the lock, so a
 * change between the reading and the wait still wakes it.
 */
final class Arrivals implements ConfigurationListener {

    /** Something the boot may wait for has changed: read the condition again. */
    synchronized void changed() {
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
        synchronized (this) {
            while (true) {
                T value = condition.get();
                if (value != null) {
                    return value;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
