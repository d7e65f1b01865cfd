package dev.avocado.boot.internal;

import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The boot's decisions, in plain Java (no framework needed to test them): which way the boot goes, and
 * whether a stored IDevID may be used.
 */
final class BootChecks {

    /** Something the device cannot fix by itself; the message is the failed state's reason. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }

    /** Which way the boot goes once the keys and the MPR are read. */
    enum Way {
        /** No IDevID and no provisioner installed: unprovisioned, and nothing happens by itself. */
        AWAIT_PROVISIONER,
        /** No IDevID: the provisioner runs O.1 to O.d. */
        PROVISION,
        /** The IDevID is saved but O.c or O.d is not done: the provisioner finishes. */
        FINISH_PROVISIONING,
        /** Provisioned: check the IDevID, then partition two. */
        CHECK_IDEVID
    }

    private BootChecks() {
    }

    static Way way(Optional<DeviceIdentity> idevid, IdevidProvisioner provisioner) {
        if (idevid.isEmpty()) {
            return provisioner == null ? Way.AWAIT_PROVISIONER : Way.PROVISION;
        }
        return provisioner != null && !provisioner.complete() ? Way.FINISH_PROVISIONING : Way.CHECK_IDEVID;
    }

    /**
     * The IDevID the device may onboard with: a chain of the IDevID profile under the MPR's roles (the
     * MPR root the only anchor, the manufacturer's CA as path material), whose private key is in the
     * device's key service and matches the certificate.
     */
    static IdevidProfile.Idevid usable(ManufacturerRoot root, DeviceIdentity idevid, KeyService keys, CheckTime time)
            throws Refusal {
        ManufacturerTrust manufacturer;
        try {
            manufacturer = ManufacturerTrust.of(root.certificates());
        } catch (ProfileException e) {
            throw new Refusal("MPR " + root.source() + ": " + e.getMessage());
        }
        IdevidProfile.Idevid checked;
        try {
            checked = IdevidProfile.check(idevid.chain(), manufacturer,
                    time.at(idevid.certificate(), idevid.chain(), root.certificates()));
        } catch (ProfileException e) {
            throw new Refusal("IDevID at " + idevid.location() + " is not well formed: " + e.getMessage());
        }
        Optional<DeviceKey> key;
        try {
            key = keys.find(idevid.keyAlias());
        } catch (KeyServiceException e) {
            throw new Refusal("IDevID key check failed: " + e.getMessage());
        }
        if (key.isEmpty()) {
            throw new Refusal("IDevID at " + idevid.location() + " has no private key: no key '" + idevid.keyAlias()
                    + "' in " + keys.describe());
        }
        if (!Arrays.equals(key.get().publicKey().getEncoded(), idevid.certificate().getPublicKey().getEncoded())) {
            throw new Refusal("IDevID at " + idevid.location() + " does not match key '" + idevid.keyAlias() + "' at "
                    + key.get().location());
        }
        return checked;
    }
}
