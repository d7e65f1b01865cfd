package dev.avocado.tpm;

/** A TPMS_NV_PUBLIC: an NV index, its attributes and size. */
public record NvPublic(int index, int attributes, int size) {

    public boolean writeLocked() {
        return (attributes & Tpm2.NV_WRITELOCKED) != 0;
    }

    /** Defined under the platform hierarchy (TPMA_NV_PLATFORMCREATE), deletable only with a policy. */
    public boolean platformCreated() {
        return (attributes & Tpm2.NV_PLATFORMCREATE) != 0 && (attributes & Tpm2.NV_POLICY_DELETE) != 0;
    }

    public boolean written() {
        return (attributes & Tpm2.NV_WRITTEN) != 0;
    }

    /**
     * Written and locked for good by the platform: defined under the platform hierarchy
     * (PLATFORMCREATE, which an owner cannot set), undefined only with platform authorization and a
     * policy (POLICY_DELETE), locked until undefined (WRITEDEFINE, WRITELOCKED), written by the platform
     * alone. An index the owner made can be undefined and made again by anyone with owner authorization
     * (empty, as TPMs ship).
     */
    public boolean lockedForGood() {
        int required = Tpm2.NV_PLATFORMCREATE | Tpm2.NV_POLICY_DELETE | Tpm2.NV_WRITEDEFINE | Tpm2.NV_WRITELOCKED
                | Tpm2.NV_WRITTEN;
        int forbidden = Tpm2.NV_OWNERWRITE | 0x00000004 /* AUTHWRITE */ | 0x00000008 /* POLICYWRITE */;
        return (attributes & required) == required && (attributes & forbidden) == 0;
    }
}
