package dev.avocado.boot.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.clock.DeviceClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The device's clock: a system clock years behind, the floor and where it comes from, what is kept. */
public class FloorClockTest {

    private static final Instant BUILT = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock BEHIND = Clock.fixed(Instant.parse("2023-03-01T00:00:00Z"), ZoneOffset.UTC);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    private Path file() {
        return tmp.getRoot().toPath().resolve("clock").resolve("last-seen");
    }

    @Test
    public void aClockBehindTheFirmwaresBuildTimeIsNotUsed() {
        FloorClock clock = new FloorClock(BUILT, file(), BEHIND, nanos::get);
        assertEquals(BUILT, clock.now());
        assertEquals("the firmware's build time", clock.floor().source());
        Clock ahead = Clock.fixed(BUILT.plus(Duration.ofDays(40)), ZoneOffset.UTC);
        assertEquals(BUILT.plus(Duration.ofDays(40)), new FloorClock(BUILT, file(), ahead, nanos::get).now());
    }

    @Test
    public void theFloorAdvancesWhileTheDeviceRunsAndIsKeptForTheNextBoot() {
        FloorClock clock = new FloorClock(BUILT, file(), BEHIND, nanos::get);
        nanos.addAndGet(Duration.ofHours(3).toNanos());
        assertEquals(BUILT.plus(Duration.ofHours(3)), clock.now());
        assertEquals(null, clock.save());
        FloorClock next = new FloorClock(BUILT, file(), BEHIND, nanos::get);
        assertEquals(BUILT.plus(Duration.ofHours(3)), next.floor().at());
        assertTrue(next.floor().source(), next.floor().source().startsWith("the last time this device saw"));
    }

    @Test
    public void aSystemClockAheadIsNeverKept() throws Exception {
        Clock ahead = Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC);
        FloorClock clock = new FloorClock(BUILT, file(), ahead, nanos::get);
        assertEquals(Instant.parse("2040-01-01T00:00:00Z"), clock.now());
        assertEquals(null, clock.save());
        assertEquals(BUILT, Instant.parse(Files.readString(file()).trim()));
    }

    @Test
    public void aTrustedTimeRaisesTheFloorAndAnEarlierOneDoesNot() {
        FloorClock clock = new FloorClock(BUILT, file(), BEHIND, nanos::get);
        Instant voucher = BUILT.plus(Duration.ofDays(2));
        clock.learned(voucher, "the voucher");
        assertEquals(new DeviceClock.Floor(voucher, "the voucher"), clock.floor());
        assertEquals(voucher, FloorClock.read(file()));
        clock.learned(BUILT.plus(Duration.ofDays(1)), "an older voucher");
        assertEquals("the voucher", clock.floor().source());
    }

    @Test
    public void aKeptTimeBeforeTheBuildOrATornFileIsIgnored() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "2020-01-01T00:00:00Z\n");
        assertEquals(BUILT, new FloorClock(BUILT, file(), BEHIND, nanos::get).floor().at());
        Files.writeString(file(), "2027-0");
        FloorClock torn = new FloorClock(BUILT, file(), BEHIND, nanos::get);
        assertEquals(BUILT, torn.floor().at());
        assertEquals("the firmware's build time", torn.floor().source());
    }

    @Test
    public void anImageThatNamesNoBuildTimeHasNoFloorAndSaysSo() {
        FloorClock clock = new FloorClock(null, file(), BEHIND, nanos::get);
        assertEquals(BEHIND.instant(), clock.now());
        assertTrue(clock.floor().source(), clock.floor().source().contains("names no build time"));
    }
}
