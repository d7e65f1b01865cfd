package dev.avocado.protocol.brski;

/** BRSKI (RFC 8995) paths and names. */
public final class Brski {

    public static final String PATH = "/.well-known/brski";
    /**
     * Response header of this project's registrar on a refusal: the protocol step that refused (C.4, C.5,
     * C.8 for what the MASA did, C.3 for the registrar's own check), so a pledge tells the step that
     * really failed; a registrar that sends none leaves the pledge to name C.3 or C.4 from the status.
     */
    public static final String STEP_HEADER = "Avocado-Step";
    public static final String REQUEST_VOUCHER = PATH + "/requestvoucher";
    public static final String VOUCHER_STATUS = PATH + "/voucher_status";
    public static final String ENROLL_STATUS = PATH + "/enrollstatus";
    public static final String REQUEST_AUDIT_LOG = PATH + "/requestauditlog";

    /** DNS-SD service type of a registrar (RFC 8995 section 4.1.1). */
    public static final String REGISTRAR_SERVICE = "_brski-registrar._tcp.local.";

    private Brski() {
    }
}
