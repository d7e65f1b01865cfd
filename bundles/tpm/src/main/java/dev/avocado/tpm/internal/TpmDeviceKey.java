package dev.avocado.tpm.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import java.security.PrivateKey;
import java.security.PublicKey;

record TpmDeviceKey(String alias, KeyAlgorithm algorithm, PublicKey publicKey, String location, PrivateKey privateKey)
        implements DeviceKey {
}
