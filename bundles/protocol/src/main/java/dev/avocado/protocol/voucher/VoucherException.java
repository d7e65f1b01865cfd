package dev.avocado.protocol.voucher;

/** A voucher or voucher request is malformed or does not verify; the message says what and why. */
public class VoucherException extends Exception {
    private static final long serialVersionUID = 1L;

    public VoucherException(String message) {
        super(message);
    }

    public VoucherException(String message, Throwable cause) {
        super(message, cause);
    }
}
