package dev.avocado.identity.file;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado identity store", description = "Where the IDevID and LDevID are kept")
public @interface IdentityConfig {

    @AttributeDefinition(name = "Identity folder",
            description = "Empty means identity/ on the data partition (framework property avocado.data)")
    String folder() default "";
}
