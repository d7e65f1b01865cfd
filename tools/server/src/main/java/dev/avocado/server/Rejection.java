package dev.avocado.server;

/** A request a service refuses: the HTTP status and a reason a person can read. Nothing is stored. */
public final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public Rejection(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The reply that tells the client. */
    public HttpsServer.Reply reply() {
        return HttpsServer.Reply.text(status, getMessage());
    }
}
