package dev.avocado.api.lifecycle;

import java.util.Locale;

/** The states of the boot state machine, in the order a device goes through them. */
public enum DeviceState {
    /** The framework is up and the boot bundle is checking the MPR and the identity. */
    BOOTING,
    /** No IDevID yet (stage 1, vanilla firmware). */
    UNPROVISIONED,
    /** The IDevID provisioner is running (steps O.1 to O.d). */
    PROVISIONING,
    /** A well-formed IDevID is present and partition two is active (stage 2). */
    PROVISIONED,
    /** An onboarder is running (steps B to E.1). */
    ONBOARDING,
    /** An LDevID is present (stage 3). */
    ONBOARDED,
    /** Something the device cannot fix by itself; the reason says what. */
    FAILED;

    /** The name used in logs, the shell and the command line: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a state name in any case, as given on a command line. */
    public static DeviceState parse(String label) {
        try {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder names = new StringBuilder();
            for (DeviceState s : values()) {
                names.append(names.length() == 0 ? "" : ", ").append(s.label());
            }
            throw new IllegalArgumentException("unknown device state '" + label + "'; known: " + names);
        }
    }
}
