package dev.avocado.api.lifecycle;

/** Where a step runs: on the device, or at a server the device learns the outcome from; since 2.0. */
public enum StepSite {
    /** The device does the step itself (its TPM, its checks, its requests). */
    DEVICE,
    /**
     * A server does the step (the manufacturer's CA, the registrar, the MASA, the domain CA); the device
     * reports what the server's answer tells about it.
     */
    SERVER
}
