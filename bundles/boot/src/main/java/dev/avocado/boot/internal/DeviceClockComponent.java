package dev.avocado.boot.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.api.lifecycle.Partitions;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The device's {@link DeviceClock} ({@link FloorClock}), its floor kept in data/clock/last-seen every ten
 * minutes and when the framework stops.
 */
@Component(service = DeviceClock.class, immediate = true)
public class DeviceClockComponent implements DeviceClock {

    /** Where the floor is kept on the data partition. */
    static final String FILE = "clock/last-seen";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private FloorClock clock;
    private ScheduledExecutorService keeper;
    private boolean setsSystemClock;

    @Activate
    void activate(BundleContext context) {
        String built = context.getProperty(FIRMWARE_BUILT);
        Instant firmwareBuilt = null;
        try {
            firmwareBuilt = built == null ? null : Instant.parse(built.trim());
        } catch (DateTimeException e) {
            log.warn("{}={} is not an instant: the device's clock has no floor from the firmware", FIRMWARE_BUILT, built);
        }
        clock = FloorClock.system(firmwareBuilt, Partitions.folder(context, null, Partitions.DATA, FILE));
        setsSystemClock = "set".equals(context.getProperty(SYSTEM_CLOCK));
        Floor floor = clock.floor();
        if (Instant.now().isBefore(floor.at())) {
            log.warn("the system clock ({}) is behind what the device knows: now is taken as {}, from {}", Instant.now(),
                    floor.at(), floor.source());
            setSystemClock();
        } else {
            log.info("clock: {} (floor {}, from {})", Instant.now(), floor.at(), floor.source());
        }
        save();
        keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "avocado-clock");
            t.setDaemon(true);
            return t;
        });
        keeper.scheduleWithFixedDelay(this::save, 10, 10, TimeUnit.MINUTES);
    }

    @Deactivate
    void deactivate() {
        keeper.shutdownNow();
        save();
    }

    private void save() {
        String failed = clock.save();
        if (failed != null) {
            log.warn("clock: the floor is not kept for the next boot: {}", failed);
        }
    }

    @Override
    public Instant now() {
        return clock.now();
    }

    @Override
    public Floor floor() {
        return clock.floor();
    }

    @Override
    public void learned(Instant atLeast, String from) {
        Instant before = clock.floor().at();
        clock.learned(atLeast, from);
        if (atLeast.isAfter(before)) {
            log.info("clock: the floor rises to {}, from {}", atLeast, from);
            setSystemClock();
        }
    }

    /**
     * On a disk image ({@link #SYSTEM_CLOCK}=set): a system clock more than two seconds behind the floor
     * is moved forward to it, so that the system's programs share the device's now. Never backward.
     */
    private void setSystemClock() {
        Instant system = Instant.now();
        Floor floor = clock.floor();
        if (!setsSystemClock || !system.plusSeconds(2).isBefore(floor.at())) {
            return;
        }
        try {
            Process date = new ProcessBuilder("date", "-u", "-s", "@" + floor.at().getEpochSecond())
                    .redirectErrorStream(true).start();
            String said = new String(date.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (date.waitFor(10, TimeUnit.SECONDS) && date.exitValue() == 0) {
                log.warn("clock: the system clock ({}) is set forward to the floor {}, from {}", system, floor.at(),
                        floor.source());
            } else {
                log.warn("clock: the system clock ({}) stays behind the floor {}: date -s failed: {}", system, floor.at(), said);
            }
        } catch (java.io.IOException e) {
            log.warn("clock: the system clock ({}) stays behind the floor {}: {}", system, floor.at(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
