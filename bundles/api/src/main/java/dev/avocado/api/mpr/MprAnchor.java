package dev.avocado.api.mpr;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A copy of the MPR kept where it cannot be changed, for example a write-locked TPM NV index. When
 * the device has one, the MPR on partition one must match it.
 */
@ProviderType
public interface MprAnchor {

    /** Framework property set by firmware that anchors its MPR: the anchor's {@link #source()}. */
    String FIRMWARE_PROPERTY = "avocado.mpr.anchor";

    /**
     * The anchored MPR: the DER of its certificates one after the other, or their SHA-256 (32 bytes);
     * empty when nothing was anchored.
     *
     * @throws MprException if the anchor cannot be read (the TPM does not answer)
     */
    Optional<byte[]> anchored() throws MprException;

    /** Where the anchor is, for example {@code tpm-nv:0x01800100}. */
    String source();
}
