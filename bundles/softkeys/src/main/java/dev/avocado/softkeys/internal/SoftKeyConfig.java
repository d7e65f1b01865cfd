package dev.avocado.softkeys.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado software keys",
        description = "Device keys in PKCS#8 files: for machines without a TPM; not secure storage")
public @interface SoftKeyConfig {

    @AttributeDefinition(name = "Key folder",
            description = "Folder of the key files; empty means keys/ on the data partition (framework property avocado.data)")
    String folder() default "";
}
