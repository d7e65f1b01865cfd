package dev.avocado.api.lifecycle;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: told every state transition and every step outcome, typed, in the order they
 * happened, on the thread that reported them. The launcher registers one from outside the framework
 * (this package is exported by the system bundle), and so can a test. A listener must return quickly
 * and must not call back into the lifecycle's actions ({@link DeviceLifecycle#wipe()},
 * {@link DeviceLifecycle#reboot()}); since 2.0.
 */
@ConsumerType
public interface LifecycleListener {

    /** The device entered a state (the first call tells the state the boot started in). */
    void stateChanged(StateChange change);

    /** A step was reported while the device was in {@code during}. */
    void stepReported(DeviceState during, StepRecord step);
}
