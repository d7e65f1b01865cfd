package dev.avocado.api.lifecycle;

import java.util.Locale;

/** What became of a step; since 2.0. */
public enum StepOutcome {
    /** The step has begun (a request is on its way, a key is being made). */
    STARTED,
    /** The step did what the diagram says, and its result was checked. */
    DONE,
    /** Not failed: another party holds the step (a registrar waiting for the owner) and will be asked again. */
    WAITING,
    /** The step did not do what the diagram says; the detail says why and whether it is tried again. */
    FAILED,
    /** The step was not needed this time (its result is kept from an earlier run, or it is switched off). */
    SKIPPED;

    /** The name used in logs, events and the shell: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
