package dev.avocado.api.keys;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A key held by a PKCS#11 token, which other programs of the device (wpa_supplicant, NetworkManager)
 * can use too: they load the same module and name the key by its URI. Since 1.2.
 */
@ProviderType
public interface TokenKey extends DeviceKey {

    /** The private key's RFC 7512 URI, without the PIN ({@code pkcs11:token=avocado;object=ldevid;type=private}). */
    String uri();

    /** The PKCS#11 module that holds the token, the file other programs load. */
    Path module();

    /** The token's user PIN, for the profile of a program that uses the key unattended. */
    String pin();
}
