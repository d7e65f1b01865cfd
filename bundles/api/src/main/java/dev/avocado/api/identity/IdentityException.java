package dev.avocado.api.identity;

/** An identity could not be read or written; the message names the file and the problem. */
public class IdentityException extends Exception {
    private static final long serialVersionUID = 1L;

    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
