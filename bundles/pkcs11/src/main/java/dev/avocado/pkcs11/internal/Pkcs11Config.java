package dev.avocado.pkcs11.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Which PKCS#11 module and token hold the device keys. */
@ObjectClassDefinition(name = "Avocado PKCS#11 key service",
        description = "Device keys in a PKCS#11 token: tpm2-pkcs11 over the TPM, a secure element's module, SoftHSM2")
public @interface Pkcs11Config {

    @AttributeDefinition(name = "Module", description = "The PKCS#11 module file, for example "
            + "/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1 (Debian libtpm2-pkcs11-1) or "
            + "/usr/lib/softhsm/libsofthsm2.so")
    String module();

    @AttributeDefinition(name = "Token", description = "The label of the token that holds the keys")
    String tokenLabel() default "avocado";

    @AttributeDefinition(name = "PIN file", description = "The file with the token's user PIN (owner-only); empty: "
            + "keys/pkcs11-TOKEN.pin on the data partition")
    String pinFile() default "";

    @AttributeDefinition(name = "Initialize", description = "When no token has the label: initialize the first "
            + "uninitialized one with it, a random user PIN (written to the PIN file first) and a random security "
            + "officer PIN that is not kept")
    boolean initialize() default true;

    @AttributeDefinition(name = "Secure storage", description = "Whether the module keeps keys in hardware (a TPM, "
            + "a secure element); false, the default, for a software token such as SoftHSM2, which says so at every "
            + "start. The firmware sets it (avocado.pkcs11.secure; true for Debian's tpm2-pkcs11)")
    boolean secureStorage() default false;
}
