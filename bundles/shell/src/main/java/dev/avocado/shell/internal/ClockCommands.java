package dev.avocado.shell.internal;

import dev.avocado.api.clock.DeviceClock;
import java.time.Instant;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code device:clock}: the system clock, the floor and the now that certificate checks use. */
@Component(service = ClockCommands.class, property = {"osgi.command.scope=device", "osgi.command.function=clock"})
public class ClockCommands {

    @Reference
    private DeviceClock clock;

    @Descriptor("show the device's clock: the system clock, the floor (the earliest the time can be) and what sets it, "
            + "and the now that certificate checks use")
    public String clock() {
        DeviceClock.Floor floor = clock.floor();
        Instant system = Instant.now();
        String behind = system.isBefore(floor.at())
                ? " (behind the floor by " + java.time.Duration.between(system, floor.at()).toString().substring(2).toLowerCase()
                        + ": not used)" : "";
        return "system clock: " + system + behind + "\n"
                + "floor:        " + floor.at() + " (" + floor.source() + ", advanced by the time since)\n"
                + "now:          " + clock.now() + " (what expired before it is refused)\n";
    }
}
