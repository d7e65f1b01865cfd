package dev.avocado.softkeys.internal;

import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.protocol.x509.Bc;
import java.security.Provider;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Software device keys. For machines without a TPM: the private keys are files, so anyone who can read
 * the data partition can copy them. Every start says so.
 */
@Component(configurationPid = SoftKeyService.PID, property = KeyService.TYPE_PROPERTY + "=soft")
@Designate(ocd = SoftKeyConfig.class)
public class SoftKeyService implements KeyService {

    public static final String PID = "dev.avocado.keys.soft";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private SoftKeyStore store;

    @Activate
    void activate(BundleContext context, SoftKeyConfig config) {
        store = new SoftKeyStore(Partitions.folder(context, config.folder(), Partitions.DATA, "keys"));
        log.warn("software key service: private keys are NOT in secure storage, they are files in {}; "
                + "use the TPM key service on a real device", store.folder());
    }

    @Override
    public String type() {
        return "soft";
    }

    @Override
    public boolean secureStorage() {
        return false;
    }

    @Override
    public String describe() {
        return "software keys in " + store.folder() + " (NOT secure storage)";
    }

    @Override
    public void check() throws KeyServiceException {
        store.check();
    }

    @Override
    public DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        DeviceKey key = store.create(alias, algorithm);
        log.info("key {} created: {} at {}", alias, algorithm, key.location());
        return key;
    }

    @Override
    public Optional<DeviceKey> find(String alias) throws KeyServiceException {
        return store.find(alias);
    }

    @Override
    public void destroy(String alias) throws KeyServiceException {
        store.destroy(alias);
        log.info("key {} destroyed", alias);
    }

    @Override
    public List<DeviceKey> list() throws KeyServiceException {
        return store.list();
    }

    @Override
    public byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        return store.sign(alias, scheme, digest);
    }

    @Override
    public byte[] random(int length) {
        byte[] b = new byte[length];
        RANDOM.nextBytes(b);
        return b;
    }

    @Override
    public Provider provider() {
        return Bc.PROVIDER;
    }
}
