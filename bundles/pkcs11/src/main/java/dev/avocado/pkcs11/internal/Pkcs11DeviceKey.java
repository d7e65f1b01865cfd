package dev.avocado.pkcs11.internal;

import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.TokenKey;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;

/** A key of the token: its public half, its URI (also its location) and a handle for JCA. */
record Pkcs11DeviceKey(String alias, KeyAlgorithm algorithm, PublicKey publicKey, String uri, Path module, String pin,
        PrivateKey privateKey) implements TokenKey {

    @Override
    public String location() {
        return uri;
    }

    @Override
    public String toString() {
        return "PKCS#11 key " + alias + " at " + uri + " (" + algorithm + ")";
    }
}
