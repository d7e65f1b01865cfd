package dev.avocado.launcher;

import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleListener;
import dev.avocado.api.lifecycle.StateChange;
import dev.avocado.api.lifecycle.StepRecord;
import java.io.PrintStream;

/**
 * Follows the device from outside the framework as a typed {@link LifecycleListener} (the system bundle
 * exports the lifecycle package, so the launcher and the bundles share its classes): prints each
 * transition and step, and tells when the wanted state is reached.
 */
final class StateFollower implements LifecycleListener {

    /** What the wait for a state ended with. */
    enum Outcome {
        REACHED, FAILED, WAITING
    }

    private final PrintStream out;
    private final DeviceState until;
    private DeviceState state; // guarded by this
    private String reason = ""; // guarded by this
    private boolean settled; // guarded by this
    /** The last step reported in the current state, if any. */
    private StepRecord lastStep; // guarded by this

    /** @param until the state to wait for, or null for "settled": nothing more happens by itself */
    StateFollower(PrintStream out, DeviceState until) {
        this.out = out;
        this.until = until;
    }

    @Override
    public synchronized void stateChanged(StateChange change) {
        state = change.to();
        reason = change.reason();
        settled = change.settled();
        lastStep = null;
        out.println("[device] " + state.label() + ": " + reason);
        notifyAll();
    }

    @Override
    public synchronized void stepReported(DeviceState during, StepRecord step) {
        lastStep = step;
        out.println("[device] " + during.label() + ": " + step);
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
        return state == null ? "no device state (the boot bundle did not start)"
                : state.label() + ": " + reason + (lastStep == null ? "" : "; last step " + lastStep);
    }
}
