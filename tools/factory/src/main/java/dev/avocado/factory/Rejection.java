package dev.avocado.factory;

/** A request the service refuses: the HTTP status and a reason a person can read. Nothing is stored. */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    Rejection(int status, String reason) {
        super(reason);
        this.status = status;
    }

    int status() {
        return status;
    }
}
