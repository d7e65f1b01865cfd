package dev.avocado.itest;

import dev.avocado.api.lifecycle.LifecycleEvents;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/** Records the lifecycle events the device posts, as "previous->state". */
public final class StateRecorder {

    private final List<String> transitions = new ArrayList<>();
    private final ServiceRegistration<EventHandler> registration;

    public StateRecorder(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, LifecycleEvents.STATE_TOPIC);
        registration = context.registerService(EventHandler.class, event -> {
            synchronized (transitions) {
                transitions.add(event.getProperty(LifecycleEvents.PREVIOUS) + "->" + event.getProperty(LifecycleEvents.STATE));
            }
        }, props);
    }

    public List<String> transitions() {
        synchronized (transitions) {
            return List.copyOf(transitions);
        }
    }

    public void close() {
        registration.unregister();
    }
}
