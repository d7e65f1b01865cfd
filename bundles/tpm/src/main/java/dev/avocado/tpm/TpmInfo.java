package dev.avocado.tpm;

/** What the TPM says of itself (TPM2_GetCapability, TPM properties). */
public record TpmInfo(String manufacturer, String vendor, String firmwareVersion, String specRevision,
        int lockoutCounter, int maxAuthFail) {

    @Override
    public String toString() {
        return manufacturer + " " + vendor + " firmware " + firmwareVersion + " (TPM 2.0 revision " + specRevision + ")";
    }
}
