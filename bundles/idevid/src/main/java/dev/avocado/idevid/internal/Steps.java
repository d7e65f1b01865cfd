package dev.avocado.idevid.internal;

import dev.avocado.api.lifecycle.LifecycleEvents;
import dev.avocado.api.lifecycle.Step;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;

/** Tells each step's outcome: an EventAdmin event (the boot state machine shows it) and a log line. */
final class Steps {

    private final EventAdmin events;
    private final Logger log;

    Steps(EventAdmin events, Logger log) {
        this.events = events;
        this.log = log;
    }

    void started(Step step, String detail) {
        post(step, LifecycleEvents.STARTED, detail);
    }

    void done(Step step, String detail) {
        post(step, LifecycleEvents.DONE, detail);
    }

    void failed(Step step, String detail) {
        post(step, LifecycleEvents.FAILED, detail);
    }

    private void post(Step step, String outcome, String detail) {
        if (LifecycleEvents.FAILED.equals(outcome)) {
            log.warn("{} {}: {}", step.label(), outcome, detail);
        } else {
            log.info("{} {}: {}", step.label(), outcome, detail);
        }
        Map<String, Object> p = new HashMap<>();
        p.put(LifecycleEvents.STEP, step.label());
        p.put(LifecycleEvents.OUTCOME, outcome);
        p.put(LifecycleEvents.REASON, detail);
        p.put(LifecycleEvents.TIMESTAMP, System.currentTimeMillis());
        events.postEvent(new Event(step.topic(), p));
    }
}
