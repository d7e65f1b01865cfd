package dev.avocado.idevid.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The IDevID provisioner's own configuration (the component also reads dev.avocado.keys). */
@ObjectClassDefinition(pid = EstIdevidProvisioner.PID, name = "Avocado IDevID provisioner",
        description = "How the device obtains its IDevID from its manufacturer")
public @interface ProvisionerConfig {

    @AttributeDefinition(name = "Serial source", description = "Where the device serial comes from: config (the "
            + "serial below, set at image build), file:/path (first line), or cpuinfo (the Serial line of /proc/cpuinfo)")
    String serialSource() default "config";

    @AttributeDefinition(name = "Serial", description = "The serial number, with serial source config")
    String serial() default "";

    @AttributeDefinition(name = "Common name", description = "CN asked for in the CSR (a product name); empty: none")
    String commonName() default "";

    @AttributeDefinition(name = "Key algorithm", description = "EC_P256 or RSA_2048")
    String keyAlgorithm() default "EC_P256";

    @AttributeDefinition(name = "First retry", description = "Seconds before the first retry when the service is unreachable")
    int retryInitialSeconds() default 1;

    @AttributeDefinition(name = "Longest retry", description = "Longest wait between retries, in seconds")
    int retryMaxSeconds() default 30;

    @AttributeDefinition(name = "Connect timeout", description = "Seconds")
    int connectTimeoutSeconds() default 5;

    @AttributeDefinition(name = "Request timeout", description = "Seconds")
    int requestTimeoutSeconds() default 30;
}
