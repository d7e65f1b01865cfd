package dev.avocado.boot.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The device's clock: the system clock, but never before the floor. The floor is the latest of the
 * firmware's build time (signed with p1), the time kept in {@code data/clock/last-seen} and times that
 * trusted parties signed ({@link #learned}); it advances with the monotonic clock while the device runs
 * and is written back, so a device that lost power keeps what it knew. The system clock itself is never
 * written: a clock set ahead (by anyone with the board in hand) must not become the device's memory.
 */
final class FloorClock implements DeviceClock {

    private final Path file;
    private final Clock system;
    private final LongSupplier nanos;
    private Floor base;
    private long baseNanos;

    /**
     * @param firmwareBuilt when the firmware was built, or null when the image does not say
     * @param file where the floor is kept (data/clock/last-seen)
     */
    FloorClock(Instant firmwareBuilt, Path file, Clock system, LongSupplier nanos) {
        this.file = file;
        this.system = system;
        this.nanos = nanos;
        Floor floor = new Floor(firmwareBuilt != null ? firmwareBuilt : Instant.EPOCH,
                firmwareBuilt != null ? "the firmware's build time" : "nothing (the firmware names no build time)");
        Instant kept = read(file);
        if (kept != null && kept.isAfter(floor.at())) {
            floor = new Floor(kept, "the last time this device saw (" + file + ")");
        }
        this.base = floor;
        this.baseNanos = nanos.getAsLong();
    }

    static FloorClock system(Instant firmwareBuilt, Path file) {
        return new FloorClock(firmwareBuilt, file, Clock.systemUTC(), System::nanoTime);
    }

    @Override
    public Instant now() {
        Instant clock = system.instant();
        Instant floor = floor().at();
        return clock.isBefore(floor) ? floor : clock;
    }

    @Override
    public synchronized Floor floor() {
        return new Floor(base.at().plus(Duration.ofNanos(nanos.getAsLong() - baseNanos)), base.source());
    }

    @Override
    public synchronized void learned(Instant atLeast, String from) {
        if (!atLeast.isAfter(floor().at())) {
            return;
        }
        base = new Floor(atLeast, from);
        baseNanos = nanos.getAsLong();
        save();
    }

    /**
     * Writes the floor to the data partition (temp file, fsync, rename), under the lock that
     * {@link #learned} raises it under, so that a periodic save never puts back an older floor.
     *
     * @return null, or why it could not be written
     */
    synchronized String save() {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, (floor().at().toString() + "\n").getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
            return null;
        } catch (IOException e) {
            return file + " cannot be written: " + e.getMessage();
        }
    }

    /** The kept floor, or null when there is none or it is not an instant (a torn or foreign file is ignored). */
    static Instant read(Path file) {
        try {
            return Files.isRegularFile(file) ? Instant.parse(Files.readString(file, StandardCharsets.US_ASCII).trim()) : null;
        } catch (IOException | DateTimeException e) {
            return null;
        }
    }
}
