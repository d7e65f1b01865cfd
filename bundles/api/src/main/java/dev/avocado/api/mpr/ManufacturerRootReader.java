package dev.avocado.api.mpr;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the manufacturer provisioning root from where the firmware keeps it (a file on partition one,
 * a TPM NV index) and validates it.
 */
@ProviderType
public interface ManufacturerRootReader {

    /**
     * Reads and validates the MPR.
     *
     * @throws MprException naming the source and the problem when the MPR is missing, malformed,
     *         expired, not a CA or names no provisioning address
     */
    ManufacturerRoot read() throws MprException;

    /** Where this reader takes the MPR from, for messages and the shell. */
    String source();
}
