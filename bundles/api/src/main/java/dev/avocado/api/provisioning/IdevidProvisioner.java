package dev.avocado.api.provisioning;

import dev.avocado.api.identity.DeviceIdentity;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.util.promise.Promise;

/**
 * Obtains the device's IDevID from its manufacturer (steps O.1 to O.8, then O.c and O.d). The boot
 * bundle calls it when the device has no IDevID.
 */
@ProviderType
public interface IdevidProvisioner {

    /**
     * Starts provisioning. The promise resolves with the saved IDevID, or fails with an exception whose
     * message says which step failed and why.
     */
    Promise<DeviceIdentity> provision();

    /**
     * True when nothing is left to do: the IDevID is saved and the manufacturer recorded it. A device
     * that stopped between the two (a crash, a power cut) is provisioned again, which only finishes.
     */
    boolean complete();
}
