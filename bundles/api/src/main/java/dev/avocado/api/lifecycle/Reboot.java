package dev.avocado.api.lifecycle;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The launcher's reboot, offered as a service by the system bundle: stops the framework, checks
 * partition one against its signed manifest, and starts it again, in the same JVM. Without one (a plain
 * framework, as in the integration tests) the boot bundle restarts the framework itself; since 2.0.
 */
@ConsumerType
public interface Reboot {

    /** Asks for the reboot and returns at once; the framework stops shortly after. */
    void reboot();
}
