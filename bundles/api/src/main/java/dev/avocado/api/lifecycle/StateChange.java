package dev.avocado.api.lifecycle;

import java.time.Instant;

/**
 * One transition of the boot state machine (steps are not transitions: they are {@link StepRecord}s).
 *
 * @param settled true when the new state will not change by itself; since 2.0
 */
public record StateChange(Instant at, DeviceState from, DeviceState to, String reason, boolean settled) {
}
