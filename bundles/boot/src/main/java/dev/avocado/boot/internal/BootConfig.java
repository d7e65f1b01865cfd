package dev.avocado.boot.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The boot state machine's own configuration (its metatype names the PID: the component reads two). */
@ObjectClassDefinition(pid = BootStateMachine.PID, name = "Avocado boot", description = "The boot state machine")
public @interface BootConfig {

    @AttributeDefinition(name = "Key service wait",
            description = "Seconds to wait at boot for the key service before the device fails")
    int keyServiceWaitSeconds() default 20;

    @AttributeDefinition(name = "Configuration wait",
            description = "Seconds to wait at boot for FileInstall to load data/config/*.cfg into Config Admin")
    int configurationWaitSeconds() default 10;
}
