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

    /**
     * A refusal decided inside a database transaction: thrown there, it rolls the transaction back and
     * is caught outside as {@link InTransaction#rejection()}.
     */
    public static final class InTransaction extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Rejection rejection;

        public InTransaction(Rejection rejection) {
            super(rejection.getMessage(), null, false, false);
            this.rejection = rejection;
        }

        public Rejection rejection() {
            return rejection;
        }
    }

    /** The reply that tells the client. */
    public HttpsServer.Reply reply() {
        return HttpsServer.Reply.text(status, getMessage());
    }
}
