package dev.avocado.launcher;

/** Partition one is not the firmware the manufacturer signed; the message names the file. */
public class FirmwareException extends Exception {
    private static final long serialVersionUID = 1L;

    public FirmwareException(String message) {
        super(message);
    }

    public FirmwareException(String message, Throwable cause) {
        super(message, cause);
    }
}
