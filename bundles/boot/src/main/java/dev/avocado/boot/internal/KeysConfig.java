package dev.avocado.boot.internal;

import dev.avocado.api.keys.KeyService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Which key service holds the device keys: one configuration (PID dev.avocado.keys) that every
 * component using the device keys reads beside its own.
 */
@ObjectClassDefinition(pid = KeysConfig.PID, name = "Avocado device keys",
        description = "Which key service holds the device keys")
public @interface KeysConfig {

    String PID = KeyService.SELECTION_PID;

    @AttributeDefinition(name = "Key service filter",
            description = "(avocado.keys.type=tpm) for the TPM, (avocado.keys.type=soft) for software keys (not secure storage)")
    String keyService_target() default KeyService.DEFAULT_SELECTION;
}
