package dev.avocado.mpr.file;

import dev.avocado.protocol.profile.MprProfile;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado MPR file reader",
        description = "Where partition one keeps the manufacturer provisioning root")
public @interface FileMprConfig {

    @AttributeDefinition(name = "MPR file",
            description = "PEM file of the MPR; empty means mpr/mpr.pem on partition one (framework property avocado.p1)")
    String path() default "";

    @AttributeDefinition(name = "Default port",
            description = "Port of a provisioning address given as an IP address or DNS name without a port")
    int defaultPort() default MprProfile.DEFAULT_PORT;

    @AttributeDefinition(name = "Anchor wait",
            description = "Seconds to wait for the anchor service when the firmware anchors its MPR (TPM NV)")
    int anchorWaitSeconds() default 20;
}
