package dev.avocado.pkcs11.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.api.lifecycle.Partitions;
import java.nio.file.Path;
import java.security.Provider;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Device keys in a PKCS#11 token. It runs once configured (PID dev.avocado.keys.pkcs11, its module), so
 * a device without the module never loads it; with it selected the device uses the token or fails
 * saying why, and never falls back to software keys by itself.
 */
@Component(configurationPid = Pkcs11KeyService.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = KeyService.TYPE_PROPERTY + "=pkcs11")
@Designate(ocd = Pkcs11Config.class)
public class Pkcs11KeyService implements KeyService {

    public static final String PID = "dev.avocado.keys.pkcs11";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private Pkcs11Keys keys;
    private boolean secure;

    @Activate
    void activate(BundleContext context, Pkcs11Config config) {
        Path pinFile = config.pinFile().isBlank()
                ? Partitions.folder(context, "", Partitions.DATA, "keys").resolve("pkcs11-" + config.tokenLabel() + ".pin")
                : Path.of(config.pinFile());
        keys = new Pkcs11Keys(Path.of(config.module()), config.tokenLabel(), pinFile, config.initialize());
        secure = config.secureStorage();
        // the token is opened (and initialized, the first time) at its first use, not here: activation stays
        // quick, and what goes wrong is told by the step that needed the key
        if (secure) {
            log.info("PKCS#11 key service: {}", keys.describe());
        } else {
            log.warn("PKCS#11 key service: {}; configured as NOT secure storage (a software token): its keys are "
                    + "files that anyone who reads them and the PIN can use", keys.describe());
        }
    }

    @Deactivate
    void deactivate() {
        keys.close();
    }

    @Override
    public String type() {
        return "pkcs11";
    }

    @Override
    public boolean secureStorage() {
        return secure;
    }

    @Override
    public String describe() {
        return keys.describe() + (secure ? "" : " (NOT secure storage)");
    }

    @Override
    public void check() throws KeyServiceException {
        keys.check();
    }

    @Override
    public DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        DeviceKey key = keys.create(alias, algorithm);
        log.info("key {} created in the token: {} at {}", alias, algorithm, key.location());
        return key;
    }

    @Override
    public Optional<DeviceKey> find(String alias) throws KeyServiceException {
        return keys.find(alias);
    }

    @Override
    public void destroy(String alias) throws KeyServiceException {
        keys.destroy(alias);
        log.info("key {} destroyed in the token", alias);
    }

    @Override
    public List<DeviceKey> list() throws KeyServiceException {
        return keys.list();
    }

    @Override
    public byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        return keys.sign(alias, scheme, digest);
    }

    @Override
    public byte[] random(int length) throws KeyServiceException {
        return keys.random(length);
    }

    @Override
    public Provider provider() {
        return keys.provider();
    }
}
