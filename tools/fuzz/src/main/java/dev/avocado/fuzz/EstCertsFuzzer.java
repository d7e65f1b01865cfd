package dev.avocado.fuzz;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;

/** An EST certs-only answer (cacerts, simpleenroll): base64 of a degenerate CMS SignedData, as the device reads it. */
public final class EstCertsFuzzer {

    private EstCertsFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Est.parseCertsOnly(data);
        } catch (EstException expected) {
            Anchors.requireMessage(expected);
        }
    }
}
