package dev.avocado.api.lifecycle;

import java.time.Instant;

/** One transition of the boot state machine. */
public record StateChange(Instant at, DeviceState from, DeviceState to, String reason) {
}
