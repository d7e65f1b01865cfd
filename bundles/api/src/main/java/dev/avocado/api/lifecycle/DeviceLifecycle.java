package dev.avocado.api.lifecycle;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The boot state machine as a service: where the device is, why, and the two actions that change the
 * device as a whole.
 */
@ProviderType
public interface DeviceLifecycle {

    DeviceState state();

    /** Why the device is in its state, in words a person can act on. */
    String reason();

    /** True when the state will not change by itself (nothing is running or waiting to run). */
    boolean settled();

    /** Every transition since the framework started, oldest first (steps are in {@link #steps()}). */
    List<StateChange> history();

    /** Every step outcome reported since the framework started, oldest first; since 2.0. */
    List<StepRecord> steps();

    /**
     * Removes the LDevID, the IDevID and their keys, then reboots into provisioning. Only a wipe
     * removes an IDevID.
     */
    void wipe() throws Exception;

    /** Restarts the framework; the launcher checks partition one again before it starts. */
    void reboot();
}
