package dev.avocado.api.onboarding;

import dev.avocado.api.identity.DeviceIdentity;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.util.promise.Promise;

/**
 * Onboards a provisioned device onto its owner's network (BRSKI, EST, EAP-TLS). Onboarders live on
 * partition two; the boot bundle starts them once the device has a well-formed IDevID.
 */
@ProviderType
public interface Onboarder {

    /**
     * Starts onboarding. The promise resolves with the saved LDevID, or fails with an exception whose
     * message says which step failed and why.
     */
    Promise<DeviceIdentity> onboard();
}
