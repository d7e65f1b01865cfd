package dev.avocado.tpm.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado TPM key service",
        description = "Device keys in a TPM 2.0, through the TCG software stack")
public @interface TpmConfig {

    @AttributeDefinition(name = "TCTI", description = "How to reach the TPM: device:/dev/tpmrm0 (hardware, kernel "
            + "resource manager), swtpm:host=127.0.0.1,port=2321 (software TPM), tabrmd: (resource manager daemon)")
    String tcti() default "device:/dev/tpmrm0";

    @AttributeDefinition(name = "Storage root key handle", description = "Persistent handle of the storage primary key")
    String srkHandle() default "0x81000001";

    @AttributeDefinition(name = "Key handles", description = "Persistent handle of each device key, as alias=handle")
    String[] keyHandles() default {"idevid=0x81020000", "ldevid=0x81020001"};

    @AttributeDefinition(name = "MPR NV index", description = "NV index where the manufacturer anchors the MPR "
            + "(write-locked at image build); firmware that names another (avocado.mpr.anchor) wins")
    String mprIndex() default "0x01800100";
}
