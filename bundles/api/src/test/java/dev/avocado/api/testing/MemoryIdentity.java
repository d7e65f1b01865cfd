package dev.avocado.api.testing;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityException;
import dev.avocado.api.identity.IdentityStore;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An identity store in memory, for the bundles' unit tests (the file store has its own tests). */
public final class MemoryIdentity implements IdentityStore {

    private final Map<DeviceIdentity.Kind, DeviceIdentity> identities = new EnumMap<>(DeviceIdentity.Kind.class);
    private final Map<String, String> attributes = new HashMap<>();

    @Override
    public synchronized Optional<DeviceIdentity> idevid() {
        return Optional.ofNullable(identities.get(DeviceIdentity.Kind.IDEVID));
    }

    @Override
    public synchronized DeviceIdentity saveIdevid(List<X509Certificate> chain, String keyAlias) throws IdentityException {
        if (identities.containsKey(DeviceIdentity.Kind.IDEVID)) {
            throw new IdentityException("an IDevID exists already: only a wipe removes it");
        }
        return save(DeviceIdentity.Kind.IDEVID, chain, keyAlias);
    }

    @Override
    public synchronized Optional<DeviceIdentity> ldevid() {
        return Optional.ofNullable(identities.get(DeviceIdentity.Kind.LDEVID));
    }

    @Override
    public synchronized DeviceIdentity saveLdevid(List<X509Certificate> chain, String keyAlias) {
        return save(DeviceIdentity.Kind.LDEVID, chain, keyAlias);
    }

    private DeviceIdentity save(DeviceIdentity.Kind kind, List<X509Certificate> chain, String keyAlias) {
        DeviceIdentity id = new DeviceIdentity(kind, chain, keyAlias, "memory:" + kind.name().toLowerCase());
        identities.put(kind, id);
        return id;
    }

    @Override
    public synchronized Optional<String> attribute(DeviceIdentity.Kind kind, String name) {
        return Optional.ofNullable(attributes.get(kind + "/" + name));
    }

    @Override
    public synchronized void saveAttribute(DeviceIdentity.Kind kind, String name, String value) {
        attributes.put(kind + "/" + name, value);
    }

    @Override
    public synchronized void wipe() {
        identities.clear();
        attributes.clear();
    }

    @Override
    public String location() {
        return "memory:";
    }
}
