package dev.avocado.api.lifecycle;

/**
 * The protocol steps, named as in the Build 5 protocol overview so a reader can follow a log line back
 * to the diagram. O: IDevID provisioning; B: registrar discovery; C: voucher (BRSKI); D: LDevID
 * enrollment (EST); E: network access.
 */
public enum Step {
    O_1("O.1", "key pair generated in the key store", StepSite.DEVICE),
    O_2("O.2", "CSR signed by the device key", StepSite.DEVICE),
    O_3("O.3", "CSR sent to the manufacturer over TLS trusted through the MPR", StepSite.DEVICE),
    O_4("O.4", "manufacturer CA validates the CSR", StepSite.SERVER),
    O_6("O.6", "manufacturer CA signs the IDevID", StepSite.SERVER),
    O_7("O.7", "IDevID returned and checked", StepSite.DEVICE),
    O_8("O.8", "IDevID saved", StepSite.DEVICE),
    O_C("O.c", "DPP URI created and stored", StepSite.DEVICE),
    O_D("O.d", "certificate and DPP URI recorded in the manufacturer's database", StepSite.DEVICE),
    B("B", "registrar discovered", StepSite.DEVICE),
    C_0("C.0", "provisional TLS, client-authenticated with the IDevID key", StepSite.DEVICE),
    C_1("C.1", "voucher request signed by the IDevID key", StepSite.DEVICE),
    C_2("C.2", "voucher request sent", StepSite.DEVICE),
    C_3("C.3", "registrar validates the voucher request", StepSite.SERVER),
    C_4("C.4", "registrar voucher request sent to the MASA", StepSite.SERVER),
    C_5("C.5", "MASA validates the request", StepSite.SERVER),
    C_6("C.6", "MASA signs the voucher", StepSite.SERVER),
    C_7("C.7", "voucher returned to the registrar", StepSite.SERVER),
    C_8("C.8", "registrar validates the voucher", StepSite.SERVER),
    C_9("C.9", "voucher returned to the device", StepSite.DEVICE),
    C_10("C.10", "device validates the voucher", StepSite.DEVICE),
    D_0("D.0", "TLS authenticated through the pinned domain certificate", StepSite.DEVICE),
    D_1("D.1", "LDevID key pair generated", StepSite.DEVICE),
    D_2("D.2", "LDevID CSR created", StepSite.DEVICE),
    D_3("D.3", "EST enrollment request sent", StepSite.DEVICE),
    D_4("D.4", "registrar validates the enrollment request", StepSite.SERVER),
    D_5("D.5", "domain CA signs the LDevID", StepSite.SERVER),
    D_6("D.6", "LDevID returned", StepSite.DEVICE),
    D_7("D.7", "LDevID saved", StepSite.DEVICE),
    E_1("E.1", "operational network joined with EAP-TLS", StepSite.DEVICE);

    private final String label;
    private final String description;
    private final StepSite site;

    Step(String label, String description, StepSite site) {
        this.label = label;
        this.description = description;
        this.site = site;
    }

    /** The step name as written in the diagrams and logs, for example "O.1". */
    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Where the step runs: on the device, or at a server whose answer tells its outcome; since 2.0. */
    public StepSite site() {
        return site;
    }

    /** The EventAdmin topic of this step: {@link LifecycleEvents#STEP_TOPIC_PREFIX} + the enum name. */
    public String topic() {
        return LifecycleEvents.STEP_TOPIC_PREFIX + name();
    }

    public static Step ofLabel(String label) {
        for (Step s : values()) {
            if (s.label.equalsIgnoreCase(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown step '" + label + "'");
    }
}
