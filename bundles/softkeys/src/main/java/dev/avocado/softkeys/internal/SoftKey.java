package dev.avocado.softkeys.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import java.security.PrivateKey;
import java.security.PublicKey;

record SoftKey(String alias, KeyAlgorithm algorithm, PublicKey publicKey, String location, PrivateKey privateKey)
        implements DeviceKey {

    @Override
    public String toString() {
        return "SoftKey[" + alias + ", " + algorithm + ", " + location + "]";
    }
}
