package dev.avocado.fuzz;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;
import dev.avocado.server.CsrPolicy;
import dev.avocado.server.Rejection;

/** An EST simpleenroll body (base64 PKCS#10), as the factory (O.4) and the registrar (D.4) read it. */
public final class CsrFuzzer {

    private CsrFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            CsrPolicy.check(Est.parseCsr(data));
        } catch (EstException | Rejection expected) {
            Anchors.requireMessage(expected);
        }
    }
}
