package dev.avocado.api.lifecycle;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Tells a step's outcome to everyone following the device: the lifecycle's step record
 * ({@link DeviceLifecycle#steps()}), its {@link LifecycleListener}s, an EventAdmin event on the step's
 * topic and a log line.
 */
@ProviderType
public interface StepReporter {

    /** Tells one outcome; since 2.0 the one method an implementation writes, the others call it. */
    void report(Step step, StepOutcome outcome, String detail);

    default void started(Step step, String detail) {
        report(step, StepOutcome.STARTED, detail);
    }

    default void done(Step step, String detail) {
        report(step, StepOutcome.DONE, detail);
    }

    default void failed(Step step, String detail) {
        report(step, StepOutcome.FAILED, detail);
    }

    /**
     * The step has not failed but waits for another party (a registrar holding the request for the
     * owner's approval, say) and will be asked again; since 1.3.
     */
    default void waiting(Step step, String detail) {
        report(step, StepOutcome.WAITING, detail);
    }

    /** The step was not needed this time (its result kept from an earlier run); since 2.0. */
    default void skipped(Step step, String detail) {
        report(step, StepOutcome.SKIPPED, detail);
    }
}
