package dev.avocado.api.lifecycle;

/**
 * EventAdmin topics and property names of the device lifecycle. Every state transition and every step
 * outcome is posted here, so the log, the shell and the tests read the same story.
 */
public final class LifecycleEvents {

    /** A state transition; properties {@link #STATE}, {@link #PREVIOUS}, {@link #REASON}. */
    public static final String STATE_TOPIC = "dev/avocado/lifecycle/STATE";
    /** Prefix of step topics, followed by the {@link Step} enum name, for example {@code .../step/O_1}. */
    public static final String STEP_TOPIC_PREFIX = "dev/avocado/step/";
    /**
     * A partition two bundle was replaced by a new build from the deploy folder, or restored; properties
     * {@link #BUNDLE}, {@link #FILE}.
     */
    public static final String REDEPLOY_TOPIC = "dev/avocado/lifecycle/REDEPLOY";
    /** A build in the deploy folder was refused (not signed by the firmware signer, not a p2 bundle); REASON says why. */
    public static final String REDEPLOY_REFUSED_TOPIC = "dev/avocado/lifecycle/REDEPLOY_REFUSED";
    /** All lifecycle topics, for an EventHandler's topic property. */
    public static final String ALL_TOPICS = "dev/avocado/*";

    /** Property: the new state label, for example "unprovisioned". */
    public static final String STATE = "state";
    /** Property: the state label before the transition. */
    public static final String PREVIOUS = "previous";
    /** Property: why, in words a person can act on. */
    public static final String REASON = "reason";
    /** Property: the step label, for example "O.1". */
    public static final String STEP = "step";
    /** Property: the step outcome, a {@link StepOutcome#label()}. */
    public static final String OUTCOME = "outcome";
    /** Property: a bundle symbolic name. */
    public static final String BUNDLE = "bundle";
    /** Property: a file path. */
    public static final String FILE = "file";
    /** Property: milliseconds since the epoch. */
    public static final String TIMESTAMP = "timestamp";

    /** Property: where the step runs, a {@link StepSite} name. */
    public static final String SITE = "site";

    private LifecycleEvents() {
    }
}
