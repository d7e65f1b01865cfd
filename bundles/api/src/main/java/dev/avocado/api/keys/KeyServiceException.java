package dev.avocado.api.keys;

/** A key store operation failed; the message names the key and the problem. */
public class KeyServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyServiceException(String message) {
        super(message);
    }

    public KeyServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
