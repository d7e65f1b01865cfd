package dev.avocado.api.clock;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Now, as the device can know it: the system clock, but never earlier than the floor, the earliest
 * the true time can be. The floor starts at the firmware's build time (signed with partition one), rises
 * to the last time the device saw (kept on the data partition) and to times that trusted parties sign
 * (a voucher's created-on), and advances by the time the device has been running. Certificate checks
 * on the device refuse what expired before {@link #now()}; see docs/security.md for why a notBefore later
 * than {@link #now()} is not refused.
 */
@ProviderType
public interface DeviceClock {

    /** Framework property (from the signed p1/firmware.properties): when the firmware was built, ISO-8601. */
    String FIRMWARE_BUILT = "avocado.firmware.built";

    /**
     * Framework property (from the signed p1/firmware.properties of a disk image): {@code set} to move the
     * operating system's clock forward to the floor when it is behind, so that the system's own programs
     * (wpa_supplicant checking the RADIUS server) share the device's now. Unset: the system clock is left
     * alone (a device image booted on a build machine).
     */
    String SYSTEM_CLOCK = "avocado.clock.system";

    /** The earliest the true time can be, and what says so. */
    record Floor(Instant at, String source) {
    }

    /** The system clock, or the floor when the system clock is earlier. */
    Instant now();

    /** The floor, advanced by the time since it was established. */
    Floor floor();

    /**
     * A trusted party, in a statement the device verified as signed by it and fresh, says that the time
     * is at least {@code atLeast}; the floor rises to it (and is kept) when it is later.
     *
     * @param from who said so, for {@link Floor#source()}
     */
    void learned(Instant atLeast, String from);
}
