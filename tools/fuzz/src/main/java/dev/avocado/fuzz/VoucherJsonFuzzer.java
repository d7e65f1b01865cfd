package dev.avocado.fuzz;

import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherException;

/** The JSON inside a voucher or voucher request (RFC 8366, RFC 8995 section 3). */
public final class VoucherJsonFuzzer {

    private VoucherJsonFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Voucher.parse(data);
        } catch (VoucherException expected) {
            Anchors.requireMessage(expected);
        }
    }
}
