package dev.avocado.boot.internal;

import dev.avocado.api.lifecycle.LifecycleEvents;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepReporter;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** Step outcomes as EventAdmin events on the step's topic, and log lines. */
@Component
public class EventStepReporter implements StepReporter {

    @Reference
    private EventAdmin events;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Override
    public void started(Step step, String detail) {
        post(step, LifecycleEvents.STARTED, detail);
    }

    @Override
    public void done(Step step, String detail) {
        post(step, LifecycleEvents.DONE, detail);
    }

    @Override
    public void failed(Step step, String detail) {
        post(step, LifecycleEvents.FAILED, detail);
    }

    @Override
    public void waiting(Step step, String detail) {
        post(step, LifecycleEvents.WAITING, detail);
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
