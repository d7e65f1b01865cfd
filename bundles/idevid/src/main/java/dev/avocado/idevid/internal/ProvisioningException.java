package dev.avocado.idevid.internal;

/** Provisioning cannot go on; the message starts with the step and says why. */
final class ProvisioningException extends Exception {
    private static final long serialVersionUID = 1L;

    ProvisioningException(String message) {
        super(message);
    }

    ProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
