package dev.avocado.api.testing;

import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepOutcome;
import dev.avocado.api.lifecycle.StepRecord;
import dev.avocado.api.lifecycle.StepReporter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A step reporter that keeps what it is told, for the bundles' unit tests to assert on. */
public final class RecordingSteps implements StepReporter {

    private final List<StepRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void report(Step step, StepOutcome outcome, String detail) {
        records.add(new StepRecord(Instant.now(), step, outcome, detail));
    }

    public List<StepRecord> records() {
        return List.copyOf(records);
    }

    /** The outcomes other than "started", as {@code O.1 done}, in the order they came. */
    public List<String> outcomes() {
        return records.stream().filter(r -> r.outcome() != StepOutcome.STARTED)
                .map(r -> r.step().label() + " " + r.outcome().label()).toList();
    }

    /** The detail of the last record of {@code step} with {@code outcome}. */
    public String detail(Step step, StepOutcome outcome) {
        for (int i = records.size() - 1; i >= 0; i--) {
            StepRecord r = records.get(i);
            if (r.step() == step && r.outcome() == outcome) {
                return r.detail();
            }
        }
        throw new AssertionError("no " + step.label() + " " + outcome.label() + " in " + records);
    }
}
