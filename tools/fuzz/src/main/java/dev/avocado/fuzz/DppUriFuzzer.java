package dev.avocado.fuzz;

import dev.avocado.protocol.dpp.DppUri;
import java.nio.charset.StandardCharsets;

/** A DPP bootstrapping URI, as the factory records it from a device (O.7). */
public final class DppUriFuzzer {

    private DppUriFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            DppUri.parse(new String(data, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException expected) {
            Anchors.requireMessage(expected);
        }
    }
}
