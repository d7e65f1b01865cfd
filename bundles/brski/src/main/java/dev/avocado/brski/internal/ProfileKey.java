package dev.avocado.brski.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.TokenKey;
import java.nio.file.Path;

/**
 * How wpa_supplicant and NetworkManager reach the LDevID's private key: its file (software keys), or
 * its PKCS#11 URI, the module that holds it and the token's PIN (a TPM key through tpm2-pkcs11, a secure
 * element), which wpa_supplicant loads through OpenSSL's PKCS#11 engine (libengine-pkcs11-openssl).
 */
public record ProfileKey(String privateKey, String pin, Path module, Path engine) {

    /** Where Debian's libengine-pkcs11-openssl puts the engine on this machine's architecture. */
    public static Path defaultEngine() {
        String arch = System.getProperty("os.arch");
        String multiarch = arch.equals("aarch64") ? "aarch64-linux-gnu" : arch.equals("arm") ? "arm-linux-gnueabihf"
                : "x86_64-linux-gnu";
        return Path.of("/usr/lib", multiarch, "engines-3", "pkcs11.so");
    }

    /**
     * The reference to a key, or null when neither program can use it (a key of the ESYS TPM key service,
     * which keeps it at a persistent handle no PKCS#11 module exposes; a key in memory).
     */
    public static ProfileKey of(DeviceKey key, Path engine) {
        if (key instanceof TokenKey t) {
            return new ProfileKey(t.uri(), t.pin(), t.module(), engine);
        }
        if (key.location().startsWith("file:")) {
            return new ProfileKey(key.location().substring("file:".length()), null, null, null);
        }
        return null;
    }

    /** A file key, as a test gives it. */
    public static ProfileKey file(Path file) {
        return new ProfileKey(file.toAbsolutePath().toString(), null, null, null);
    }

    boolean token() {
        return module != null;
    }
}
