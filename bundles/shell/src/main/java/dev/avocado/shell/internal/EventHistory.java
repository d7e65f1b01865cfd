package dev.avocado.shell.internal;

import dev.avocado.api.lifecycle.LifecycleEvents;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/** Keeps the latest lifecycle events (states, steps, redeploys) for {@code device:events}. */
@Component(service = {EventHandler.class, EventHistory.class},
        property = EventConstants.EVENT_TOPIC + "=" + LifecycleEvents.ALL_TOPICS)
public class EventHistory implements EventHandler {

    private static final int KEEP = 500;
    private final Deque<String> lines = new ArrayDeque<>();

    @Override
    public void handleEvent(Event event) {
        Object ts = event.getProperty(LifecycleEvents.TIMESTAMP);
        Instant at = ts instanceof Long l ? Instant.ofEpochMilli(l) : Instant.now();
        StringBuilder line = new StringBuilder().append(at).append(' ')
                .append(event.getTopic().substring(event.getTopic().lastIndexOf('/') + 1));
        for (String name : new String[] {LifecycleEvents.STEP, LifecycleEvents.OUTCOME, LifecycleEvents.PREVIOUS,
                LifecycleEvents.STATE, LifecycleEvents.BUNDLE, LifecycleEvents.REASON, LifecycleEvents.FILE}) {
            Object v = event.getProperty(name);
            if (v != null) {
                line.append(' ').append(name).append('=').append(v);
            }
        }
        synchronized (lines) {
            lines.addLast(line.toString());
            if (lines.size() > KEEP) {
                lines.removeFirst();
            }
        }
    }

    List<String> latest(int n) {
        synchronized (lines) {
            List<String> all = new ArrayList<>(lines);
            return all.subList(Math.max(0, all.size() - n), all.size());
        }
    }
}
