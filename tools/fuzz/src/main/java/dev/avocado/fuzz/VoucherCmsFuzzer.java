package dev.avocado.fuzz;

import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import java.time.Instant;
import java.util.List;

/** A CMS-signed voucher or voucher request (registrar C.3, MASA C.5, pledge C.10): DER or base64. */
public final class VoucherCmsFuzzer {

    private VoucherCmsFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            VoucherCms.verify(data, List.of(Anchors.ROOT), Instant.now(), List.of());
        } catch (VoucherException expected) {
            Anchors.requireMessage(expected);
        }
    }
}
