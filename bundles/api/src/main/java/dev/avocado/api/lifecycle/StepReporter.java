package dev.avocado.api.lifecycle;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Tells a step's outcome to everyone following the device: an EventAdmin event on the step's topic
 * (the boot state machine makes it the state's reason, the shell and the tests read it) and a log line.
 */
@ProviderType
public interface StepReporter {

    void started(Step step, String detail);

    void done(Step step, String detail);

    void failed(Step step, String detail);

    /**
     * The step has not failed but waits for another party (a registrar holding the request for the
     * owner's approval, say) and will be asked again; since 1.3.
     */
    void waiting(Step step, String detail);
}
