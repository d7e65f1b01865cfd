/**
 * The device's notion of now. A device may boot with its clock years behind (no real-time clock, no
 * time server on a factory network): {@link dev.avocado.api.clock.DeviceClock} never says it is earlier
 * than what the device knows for sure (its firmware's build time, the last time it saw, a time a trusted
 * party signed).
 */
@Version("1.0.0")
@Export
package dev.avocado.api.clock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
