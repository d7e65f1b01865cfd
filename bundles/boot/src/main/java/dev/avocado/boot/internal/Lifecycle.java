package dev.avocado.boot.internal;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleEvents;
import dev.avocado.api.lifecycle.LifecycleListener;
import dev.avocado.api.lifecycle.StateChange;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepOutcome;
import dev.avocado.api.lifecycle.StepRecord;
import dev.avocado.api.lifecycle.StepReporter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;

/**
 * The device's lifecycle record: the current state, its transitions, and the step outcomes apart from
 * them. It is the {@link DeviceLifecycle} and the {@link StepReporter} of the device (one object, so a
 * step reaches the record typed, never as text to parse back), and it tells every change, in the order
 * it happened, to the {@link LifecycleListener}s (the launcher's among them), the log and EventAdmin.
 */
final class Lifecycle implements DeviceLifecycle, StepReporter {

    /** What changes the device as a whole; the boot state machine does it on its own thread. */
    interface Actions {
        void wipe() throws Exception;

        void reboot();
    }

    /** Steps kept for {@link #steps()}: a device retrying for days must not grow without bound. */
    static final int STEPS_KEPT = 1000;

    private final EventAdmin events;
    private final Logger log;
    private final Supplier<List<LifecycleListener>> listeners;
    private final Actions actions;
    /** Held while a change is recorded and told, so every listener hears the changes in one order. */
    private final Object telling = new Object();
    private final List<StateChange> history = new ArrayList<>(); // guarded by this
    private final Deque<StepRecord> steps = new ArrayDeque<>(); // guarded by this
    private DeviceState state = DeviceState.BOOTING; // guarded by this
    private String reason = "starting"; // guarded by this
    private boolean settled; // guarded by this

    Lifecycle(EventAdmin events, Logger log, Supplier<List<LifecycleListener>> listeners, Actions actions) {
        this.events = events;
        this.log = log;
        this.listeners = listeners;
        this.actions = actions;
    }

    @Override
    public synchronized DeviceState state() {
        return state;
    }

    @Override
    public synchronized String reason() {
        return reason;
    }

    @Override
    public synchronized boolean settled() {
        return settled;
    }

    @Override
    public synchronized List<StateChange> history() {
        return List.copyOf(history);
    }

    @Override
    public synchronized List<StepRecord> steps() {
        return List.copyOf(steps);
    }

    @Override
    public void wipe() throws Exception {
        actions.wipe();
    }

    @Override
    public void reboot() {
        actions.reboot();
    }

    /** Moves to a state (or restates the current one with a new reason). */
    void enter(DeviceState next, String why, boolean nowSettled) {
        StateChange change;
        synchronized (telling) {
            synchronized (this) {
                change = new StateChange(Instant.now(), state, next, why, nowSettled);
                state = next;
                reason = why;
                settled = nowSettled;
                history.add(change);
            }
            if (next == DeviceState.FAILED) {
                log.error("state {} -> {}: {}", change.from().label(), next.label(), why);
            } else {
                log.info("state {} -> {}: {}", change.from().label(), next.label(), why);
            }
            tell(l -> l.stateChanged(change));
        }
        events.postEvent(new Event(LifecycleEvents.STATE_TOPIC, Map.of(
                LifecycleEvents.STATE, next.label(),
                LifecycleEvents.PREVIOUS, change.from().label(),
                LifecycleEvents.REASON, why,
                LifecycleEvents.TIMESTAMP, change.at().toEpochMilli())));
    }

    /** Records a step outcome (the other StepReporter methods come here) and tells it. */
    @Override
    public void report(Step step, StepOutcome outcome, String detail) {
        StepRecord r = new StepRecord(Instant.now(), step, outcome, detail);
        synchronized (telling) {
            DeviceState during;
            synchronized (this) {
                steps.addLast(r);
                if (steps.size() > STEPS_KEPT) {
                    steps.removeFirst();
                }
                during = state;
            }
            if (outcome == StepOutcome.FAILED) {
                log.warn("{}", r);
            } else {
                log.info("{}", r);
            }
            tell(l -> l.stepReported(during, r));
        }
        events.postEvent(new Event(step.topic(), Map.of(
                LifecycleEvents.STEP, step.label(),
                LifecycleEvents.OUTCOME, outcome.label(),
                LifecycleEvents.SITE, step.site().name(),
                LifecycleEvents.REASON, r.detail(),
                LifecycleEvents.TIMESTAMP, r.at().toEpochMilli())));
    }

    /** A listener that throws is logged and skipped; the others still hear the change. */
    private void tell(Consumer<LifecycleListener> call) {
        for (LifecycleListener l : listeners.get()) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("lifecycle listener {} failed: {}", l.getClass().getName(), e.toString());
            }
        }
    }
}
