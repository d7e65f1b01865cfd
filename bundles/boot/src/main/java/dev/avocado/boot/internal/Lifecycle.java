package dev.avocado.boot.internal;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleEvents;
import dev.avocado.api.lifecycle.StateChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;

/**
 * The current state and its history, told three ways on every transition: an EventAdmin event, a log
 * line, and the properties of the registered {@link DeviceLifecycle} service (which the launcher
 * follows from outside the framework).
 */
final class Lifecycle {

    interface Actions {
        void wipe() throws Exception;

        void reboot();
    }

    private final EventAdmin events;
    private final Logger log;
    private final List<StateChange> history = new ArrayList<>();
    private DeviceState state = DeviceState.BOOTING;
    private String reason = "starting";
    private boolean settled;
    private ServiceRegistration<DeviceLifecycle> registration;

    Lifecycle(EventAdmin events, Logger log) {
        this.events = events;
        this.log = log;
    }

    synchronized void register(BundleContext context, Actions actions) {
        registration = context.registerService(DeviceLifecycle.class, new DeviceLifecycle() {
            @Override
            public DeviceState state() {
                return Lifecycle.this.state();
            }

            @Override
            public String reason() {
                return Lifecycle.this.reason();
            }

            @Override
            public boolean settled() {
                return Lifecycle.this.settled();
            }

            @Override
            public List<StateChange> history() {
                return Lifecycle.this.history();
            }

            @Override
            public void wipe() throws Exception {
                actions.wipe();
            }

            @Override
            public void reboot() {
                actions.reboot();
            }
        }, properties());
    }

    synchronized void unregister() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
    }

    synchronized DeviceState state() {
        return state;
    }

    synchronized String reason() {
        return reason;
    }

    synchronized boolean settled() {
        return settled;
    }

    synchronized List<StateChange> history() {
        return List.copyOf(history);
    }

    /** Moves to a state (or restates the current one with a new reason). */
    void enter(DeviceState next, String why, boolean nowSettled) {
        DeviceState previous;
        synchronized (this) {
            previous = state;
            state = next;
            reason = why;
            settled = nowSettled;
            history.add(new StateChange(Instant.now(), previous, next, why));
            if (registration != null) {
                try {
                    registration.setProperties(properties());
                } catch (IllegalStateException e) {
                    // unregistered while stopping
                }
            }
        }
        if (next == DeviceState.FAILED) {
            log.error("state {} -> {}: {}", previous.label(), next.label(), why);
        } else {
            log.info("state {} -> {}: {}", previous.label(), next.label(), why);
        }
        events.postEvent(new Event(LifecycleEvents.STATE_TOPIC, Map.of(
                LifecycleEvents.STATE, next.label(),
                LifecycleEvents.PREVIOUS, previous.label(),
                LifecycleEvents.REASON, why,
                LifecycleEvents.TIMESTAMP, System.currentTimeMillis())));
    }

    private Hashtable<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(LifecycleEvents.SERVICE_STATE, state.label());
        p.put(LifecycleEvents.SERVICE_REASON, reason);
        p.put(LifecycleEvents.SERVICE_SETTLED, settled);
        return p;
    }
}
