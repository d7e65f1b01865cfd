package dev.avocado.protocol.dpp;

/**
 * Step O.d: the device records its DPP URI with its manufacturer. POST {@value #PATH}, JSON
 * {@code {"serial": ..., "dpp-uri": ...}}, over TLS client-authenticated by the device's IDevID.
 */
public final class DppRecord {

    public static final String PATH = "/factory/v1/record";
    public static final String SERIAL = "serial";
    public static final String DPP_URI = "dpp-uri";

    private DppRecord() {
    }
}
