package dev.avocado.tpm.internal;

import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.mpr.MprAnchor;
import dev.avocado.api.mpr.MprException;
import dev.avocado.tpm.NvPublic;
import dev.avocado.tpm.Tpm;
import java.util.Optional;

/**
 * The MPR anchored in a write-locked TPM NV index. The index is the one the firmware names
 * ({@value MprAnchor#FIRMWARE_PROPERTY}, from the signed partition one), else the configured one. The
 * TPM key service offers it as its own MprAnchor service, so the anchor is in the registry whenever the
 * TPM keys are: a boot that has the key service never reads the MPR before the anchor can be checked.
 */
final class TpmMprAnchor implements MprAnchor {

    static final String PREFIX = "tpm-nv:";

    private final TpmKeyService tpm;
    private final int index;

    /** @param fromFirmware the firmware's anchor property, or null */
    TpmMprAnchor(TpmKeyService tpm, String fromFirmware) {
        this.tpm = tpm;
        this.index = fromFirmware != null && fromFirmware.startsWith(PREFIX)
                ? Tpm.handle(fromFirmware.substring(PREFIX.length())) : tpm.mprIndex();
    }

    @Override
    public String source() {
        return String.format(PREFIX + "0x%08x", index);
    }

    @Override
    public Optional<byte[]> anchored() throws MprException {
        try {
            return tpm.withTpm(t -> {
                NvPublic nv = t.nv().readPublic(index);
                if (nv == null || !nv.written()) {
                    return Optional.empty();
                }
                if (!nv.lockedForGood()) {
                    throw new IllegalStateException(String.format("the index is not locked for good (attributes 0x%08x): "
                            + "an anchor must be made by the platform (PLATFORMCREATE), deletable only with platform "
                            + "authorization and a policy (POLICY_DELETE), write-locked until undefined (WRITEDEFINE); an "
                            + "index the owner made can be undefined and made again by any process with owner authorization",
                            nv.attributes()));
                }
                return Optional.of(t.nv().read(nv)); // one NV_ReadPublic, not two
            });
        } catch (KeyServiceException e) {
            throw new MprException(source(), "the anchored MPR cannot be read: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new MprException(source(), e.getMessage(), e);
        }
    }
}
