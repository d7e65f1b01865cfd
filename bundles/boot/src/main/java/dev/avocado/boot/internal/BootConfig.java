package dev.avocado.boot.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado boot", description = "The boot state machine and partition two")
public @interface BootConfig {

    @AttributeDefinition(name = "Key service filter",
            description = "Which key service the device uses: (avocado.keys.type=tpm) or (avocado.keys.type=soft)")
    String keyService_target() default "(avocado.keys.type=soft)";

    @AttributeDefinition(name = "Key service wait",
            description = "Seconds to wait at boot for the key service before the device fails")
    int keyServiceWaitSeconds() default 20;
}
