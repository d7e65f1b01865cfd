package dev.avocado.api.identity;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the device certificates on the data partition. The IDevID is write-once: only {@link #wipe()}
 * removes it. Every write is atomic (temporary file, fsync, rename), so a crash leaves the old state or
 * the new one, never half a file.
 */
@ProviderType
public interface IdentityStore {

    /** The IDevID, if the device has one. */
    Optional<DeviceIdentity> idevid() throws IdentityException;

    /**
     * Saves the IDevID.
     *
     * @throws IdentityException if an IDevID exists already, or the write fails
     */
    DeviceIdentity saveIdevid(List<X509Certificate> chain, String keyAlias) throws IdentityException;

    /** The LDevID, if the device has one. */
    Optional<DeviceIdentity> ldevid() throws IdentityException;

    /** Saves the LDevID, replacing an earlier one (re-enrollment). */
    DeviceIdentity saveLdevid(List<X509Certificate> chain, String keyAlias) throws IdentityException;

    /** A small named text kept beside an identity, for example the DPP URI beside the IDevID. */
    Optional<String> attribute(DeviceIdentity.Kind kind, String name) throws IdentityException;

    void saveAttribute(DeviceIdentity.Kind kind, String name, String value) throws IdentityException;

    /** Removes the LDevID, then the IDevID, and their attributes. Keys are the key service's business. */
    void wipe() throws IdentityException;

    /** The folder the identities are kept in. */
    String location();
}
