package dev.avocado.api.testing;

import dev.avocado.api.clock.DeviceClock;
import java.time.Instant;

/** A {@link DeviceClock} for tests: the system clock, never before a floor the test sets. */
public final class FloorAt implements DeviceClock {

    private Floor floor;

    public FloorAt(Instant floor) {
        this.floor = new Floor(floor, "the test");
    }

    /** No floor: the system clock as it is. */
    public static FloorAt none() {
        return new FloorAt(Instant.EPOCH);
    }

    @Override
    public synchronized Instant now() {
        Instant system = Instant.now();
        return system.isBefore(floor.at()) ? floor.at() : system;
    }

    @Override
    public synchronized Floor floor() {
        return floor;
    }

    @Override
    public synchronized void learned(Instant atLeast, String from) {
        if (atLeast.isAfter(floor.at())) {
            floor = new Floor(atLeast, from);
        }
    }
}
