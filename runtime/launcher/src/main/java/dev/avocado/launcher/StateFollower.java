package dev.avocado.launcher;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleEvents;
import java.io.PrintStream;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;

/**
 * Follows the device state from outside the framework: the boot bundle keeps it in the properties of
 * its {@link DeviceLifecycle} service, so a listener sees every transition without sharing a class with
 * the bundles (an AllServiceListener: the launcher's copy of the API class is not the bundles'). Prints each transition and tells when the wanted state is reached.
 */
final class StateFollower implements AllServiceListener {

    /** What the wait for a state ended with. */
    enum Outcome {
        REACHED, FAILED, WAITING
    }

    private final PrintStream out;
    private final DeviceState until;
    private String lastPrinted;
    private DeviceState state;
    private String reason = "";
    private boolean settled;

    /** @param until the state to wait for, or null for "settled": nothing more happens by itself */
    StateFollower(PrintStream out, DeviceState until) {
        this.out = out;
        this.until = until;
    }

    void listen(BundleContext context) throws InvalidSyntaxException {
        String filter = "(" + Constants.OBJECTCLASS + "=" + DeviceLifecycle.class.getName() + ")";
        context.addServiceListener(this, filter);
        ServiceReference<?>[] refs = context.getAllServiceReferences(DeviceLifecycle.class.getName(), null);
        if (refs != null) {
            update(refs[0]);
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.MODIFIED) {
            update(event.getServiceReference());
        }
    }

    private synchronized void update(ServiceReference<?> ref) {
        Object s = ref.getProperty(LifecycleEvents.SERVICE_STATE);
        if (s == null) {
            return;
        }
        state = DeviceState.parse(s.toString());
        Object r = ref.getProperty(LifecycleEvents.SERVICE_REASON);
        reason = r == null ? "" : r.toString();
        settled = Boolean.TRUE.equals(ref.getProperty(LifecycleEvents.SERVICE_SETTLED));
        String line = "[device] " + state.label() + ": " + reason;
        if (!line.equals(lastPrinted)) {
            out.println(line);
            lastPrinted = line;
        }
        notifyAll();
    }

    synchronized Outcome outcome() {
        if (state == null) {
            return Outcome.WAITING;
        }
        if (until == null) {
            if (!settled) {
                return Outcome.WAITING;
            }
            return state == DeviceState.FAILED ? Outcome.FAILED : Outcome.REACHED;
        }
        if (state == until) {
            return Outcome.REACHED;
        }
        if (state == DeviceState.FAILED) {
            return Outcome.FAILED;
        }
        // "until provisioned" is met by a device that is onboarded already
        return until != DeviceState.FAILED && state.ordinal() > until.ordinal() ? Outcome.REACHED : Outcome.WAITING;
    }

    /** Waits up to {@code millis} for an outcome other than WAITING. */
    synchronized Outcome await(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        Outcome o;
        while ((o = outcome()) == Outcome.WAITING) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return o;
    }

    synchronized String describe() {
        return state == null ? "no device state (the boot bundle did not start)" : state.label() + ": " + reason;
    }
}
