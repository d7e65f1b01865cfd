package dev.avocado.api.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * One reported step outcome, as the device's lifecycle keeps it: separate from the state history, so a
 * step never has to be read back out of a state's reason; since 2.0.
 *
 * @param at when it was reported
 * @param step which step of the diagram
 * @param outcome what became of it
 * @param detail what happened, in words a person can act on
 */
public record StepRecord(Instant at, Step step, StepOutcome outcome, String detail) {

    public StepRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(outcome, "outcome");
        detail = detail == null ? "" : detail;
    }

    /** Where the step runs. */
    public StepSite site() {
        return step.site();
    }

    /** As the log and the launcher print it: {@code O.1 done: key idevid at tpm:0x81020000}. */
    @Override
    public String toString() {
        return step.label() + " " + outcome.label() + ": " + detail;
    }
}
