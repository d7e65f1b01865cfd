package dev.avocado.tpm;

/**
 * A TPM command or the software stack failed. The message names the command and decodes the return
 * code, for example "TPM2_Sign failed: tpm:handle(1):the handle is not correct for the use (0x18b)".
 */
public class TpmException extends Exception {
    private static final long serialVersionUID = 1L;

    /** TSS2_RC layer of TCTI errors: the connection to the TPM, not the TPM, failed. */
    static final int TCTI_LAYER = 0xA0000;

    private final String command;
    private final int rc;

    public TpmException(String message) {
        super(message);
        this.command = null;
        this.rc = 0;
    }

    public TpmException(String message, Throwable cause) {
        super(message, cause);
        this.command = null;
        this.rc = 0;
    }

    TpmException(String command, int rc, String decoded) {
        super(command + " failed: " + decoded + " (0x" + Integer.toHexString(rc) + ")");
        this.command = command;
        this.rc = rc;
    }

    /** The TPM command or TSS function, or null for errors found in Java. */
    public String command() {
        return command;
    }

    /** The TSS2_RC, 0 for errors found in Java. */
    public int rc() {
        return rc;
    }

    /** True when the TPM itself answered with {@code tpmRc} (format-one codes compared without parameter bits). */
    public boolean isTpm(int tpmRc) {
        if ((rc & 0xFFFF0000) != 0) {
            return false;
        }
        int base = (rc & 0x80) != 0 ? rc & 0xBF : rc;
        return base == tpmRc || rc == tpmRc;
    }

    /** True when the connection to the TPM failed (TCTI layer): the TPM is gone or was never there. */
    public boolean isConnectionLost() {
        return (rc & 0xFF0000) == TCTI_LAYER;
    }
}
