package dev.avocado.protocol.est;

/** An EST message is malformed; the message says which part and why. */
public class EstException extends Exception {
    private static final long serialVersionUID = 1L;

    public EstException(String message) {
        super(message);
    }

    public EstException(String message, Throwable cause) {
        super(message, cause);
    }
}
