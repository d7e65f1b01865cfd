package dev.avocado.protocol.profile;

/** A certificate does not fit its profile; the message says which certificate and which rule. */
public class ProfileException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
