package dev.avocado.fuzz;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;

/** An EST csrattrs answer (D.3), as the device reads it to choose its LDevID key. */
public final class CsrAttrsFuzzer {

    private CsrAttrsFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Est.keyAlgorithm(data);
        } catch (EstException expected) {
            Anchors.requireMessage(expected);
        }
    }
}
