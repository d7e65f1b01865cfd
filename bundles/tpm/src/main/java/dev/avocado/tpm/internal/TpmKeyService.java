package dev.avocado.tpm.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.mpr.MprAnchor;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmInfo;
import java.security.Provider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The TPM key service of the device. It runs once configured (PID dev.avocado.keys.tpm, its TCTI), so
 * a device without a TPM never tries one; with it selected the device uses the TPM or fails saying
 * why, and never falls back to software keys by itself.
 */
@Component(service = {KeyService.class, TpmKeyService.class, MprAnchor.class}, configurationPid = TpmKeyService.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = KeyService.TYPE_PROPERTY + "=tpm")
@Designate(ocd = TpmConfig.class)
public class TpmKeyService implements KeyService, MprAnchor {

    public static final String PID = "dev.avocado.keys.tpm";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private TpmKeys keys;
    private int mprIndex;
    /** The MPR anchored in this TPM, offered with the keys in one registration. */
    private TpmMprAnchor anchor;

    @Activate
    void activate(BundleContext context, TpmConfig config) {
        Map<String, Integer> handles = new LinkedHashMap<>();
        for (String entry : config.keyHandles()) {
            String[] kv = entry.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("keyHandles entry '" + entry + "' of " + PID + " is not alias=handle");
            }
            handles.put(kv[0].trim(), Tpm.handle(kv[1]));
        }
        keys = new TpmKeys(config.tcti(), Tpm.handle(config.srkHandle()), handles);
        mprIndex = Tpm.handle(config.mprIndex());
        anchor = new TpmMprAnchor(this, context.getProperty(FIRMWARE_PROPERTY));
        try {
            TpmInfo info = keys.info();
            log.info("TPM key service: {} via {}; keys at {}", info, config.tcti(), handles);
        } catch (KeyServiceException e) {
            log.error("TPM key service: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        keys.close();
    }

    /** The TPM behind this service, for the shell's tpm commands. */
    <T> T withTpm(TpmKeys.TpmCall<T> call) throws KeyServiceException {
        return keys.withTpm(call);
    }

    TpmKeys keys() {
        return keys;
    }

    /** Where the MPR is anchored in this TPM (MprAnchor). */
    @Override
    public String source() {
        return anchor.source();
    }

    /** The MPR anchored in this TPM, if one was (MprAnchor). */
    @Override
    public java.util.Optional<byte[]> anchored() throws dev.avocado.api.mpr.MprException {
        return anchor.anchored();
    }

    /** The configured NV index of the anchored MPR. */
    int mprIndex() {
        return mprIndex;
    }

    @Override
    public String type() {
        return "tpm";
    }

    @Override
    public boolean secureStorage() {
        return true;
    }

    @Override
    public String describe() {
        return keys.describe();
    }

    @Override
    public void check() throws KeyServiceException {
        keys.check();
    }

    @Override
    public DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        DeviceKey key = keys.create(alias, algorithm);
        log.info("key {} created in the TPM: {} at {}", alias, algorithm, key.location());
        return key;
    }

    @Override
    public Optional<DeviceKey> find(String alias) throws KeyServiceException {
        return keys.find(alias);
    }

    @Override
    public void destroy(String alias) throws KeyServiceException {
        keys.destroy(alias);
        log.info("key {} evicted from the TPM", alias);
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
        return keys.withTpm(t -> t.random(length));
    }

    @Override
    public Provider provider() {
        return keys.provider();
    }
}
