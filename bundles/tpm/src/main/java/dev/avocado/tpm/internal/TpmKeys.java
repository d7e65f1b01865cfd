package dev.avocado.tpm.internal;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.protocol.keys.HeldKey;
import dev.avocado.protocol.keys.HeldKeyProvider;
import dev.avocado.protocol.x509.Bc;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmException;
import dev.avocado.tpm.TpmInfo;
import dev.avocado.tpm.TpmKey;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Device keys in a TPM 2.0: generated in the TPM under the storage root key, persistent at configured
 * handles, used only through TPM2_Sign. The connection opens on first use and again after it is lost;
 * when no TPM answers, every call says so.
 */
final class TpmKeys implements AutoCloseable {

    private final String tcti;
    private final int srkHandle;
    private final Map<String, Integer> handles;
    private final Provider provider = new HeldKeyProvider("AvocadoTPM", "Signatures with keys held in a TPM 2.0 (Avocado)");
    private Tpm tpm;
    /** What the TPM is (manufacturer, firmware): read once, it does not change. */
    private TpmInfo info;
    /** This TPM signs RSA-PSS with the 32-byte salt TLS 1.3 needs: found at the first PSS signature. */
    private volatile boolean pssSaltChecked;

    TpmKeys(String tcti, int srkHandle, Map<String, Integer> handles) {
        this.tcti = tcti;
        this.srkHandle = srkHandle;
        this.handles = new LinkedHashMap<>(handles);
    }

    @Override
    public synchronized void close() {
        if (tpm != null) {
            tpm.close();
            tpm = null;
        }
    }

    synchronized String describe() {
        try {
            return "TPM " + info() + " via " + tcti;
        } catch (KeyServiceException e) {
            return "TPM via " + tcti + ": " + e.getMessage();
        }
    }

    /** The TPM is connected: a lost connection is opened again (opening asks the TPM). */
    void check() throws KeyServiceException {
        withTpm(t -> null);
    }

    /** Manufacturer, vendor, firmware: asked once (the lockout counter in it is as of then; tpm:info asks anew). */
    synchronized TpmInfo info() throws KeyServiceException {
        if (info == null) {
            info = withTpm(Tpm::info);
        }
        return info;
    }

    /** Runs a call on the TPM, connecting first if need be. */
    <T> T withTpm(TpmCall<T> call) throws KeyServiceException {
        synchronized (this) {
            if (tpm == null) {
                try {
                    tpm = Tpm.open(tcti);
                } catch (TpmException e) {
                    throw new KeyServiceException("TPM at " + tcti + " is not reachable: " + e.getMessage(), e);
                }
            }
            try {
                return call.apply(tpm);
            } catch (TpmException e) {
                if (e.isConnectionLost()) {
                    tpm.close();
                    tpm = null;
                    throw new KeyServiceException("connection to the TPM at " + tcti + " lost: " + e.getMessage(), e);
                }
                throw new KeyServiceException(e.getMessage(), e);
            }
        }
    }

    /** A call on the TPM. */
    interface TpmCall<T> {
        T apply(Tpm tpm) throws TpmException;
    }

    DeviceKey create(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        int handle = handle(alias);
        TpmKey key = withTpm(t -> {
            Tpm.Occupant there = t.inspect(handle, algorithm);
            if (there != null) {
                throw new TpmException(String.format("key %s exists already at persistent handle 0x%08x", alias, handle)
                        + (there.unfit() == null ? "" : " (and " + there.unfit() + ")"));
            }
            return t.createSigningKey(srkHandle, handle, algorithm);
        });
        return deviceKey(alias, key);
    }

    Optional<DeviceKey> find(String alias) throws KeyServiceException {
        int handle = handle(alias);
        TpmKey key = withTpm(t -> {
            Tpm.Occupant there = t.inspect(handle, null);
            if (there == null) {
                return null;
            }
            if (there.unfit() != null) {
                throw new TpmException(String.format("persistent handle 0x%08x of key %s holds an object that is not "
                        + "a device key: %s", handle, alias, there.unfit()));
            }
            return there.key();
        });
        return key == null ? Optional.empty() : Optional.of(deviceKey(alias, key));
    }

    void destroy(String alias) throws KeyServiceException {
        int handle = handle(alias);
        withTpm(t -> {
            t.evict(handle);
            return null;
        });
    }

    List<DeviceKey> list() throws KeyServiceException {
        List<DeviceKey> keys = new ArrayList<>();
        for (String alias : handles.keySet()) {
            find(alias).ifPresent(keys::add);
        }
        return keys;
    }

    byte[] sign(String alias, SignatureScheme scheme, byte[] digest) throws KeyServiceException {
        int handle = handle(alias);
        if (digest.length != scheme.digestLength()) {
            throw new KeyServiceException("a " + scheme + " digest has " + scheme.digestLength() + " bytes, not " + digest.length);
        }
        byte[] signature = withTpm(t -> t.sign(handle, scheme, digest));
        if (scheme == SignatureScheme.RSA_PSS_SHA256 && !pssSaltChecked) {
            checkPssSalt(alias, digest, signature);
            pssSaltChecked = true;
        }
        return signature;
    }

    /**
     * TPMs older than the 2019 specification pick the largest PSS salt; TLS 1.3 needs the hash length.
     * One software verification of the first PSS signature tells which this TPM does.
     */
    private void checkPssSalt(String alias, byte[] digest, byte[] signature) throws KeyServiceException {
        PublicKey pub = find(alias).orElseThrow().publicKey();
        try {
            Signature v = Signature.getInstance("NONEwithRSASSA-PSS", Bc.PROVIDER);
            v.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            v.initVerify(pub);
            v.update(digest);
            if (!v.verify(signature)) {
                throw new KeyServiceException("this TPM signs RSA-PSS with a salt longer than the hash; TLS 1.3 needs "
                        + "a 32-byte salt: use an ECC key");
            }
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot check the RSA-PSS salt: " + e.getMessage(), e);
        }
    }

    Provider provider() {
        return provider;
    }

    String tcti() {
        return tcti;
    }

    Map<String, Integer> handles() {
        return Map.copyOf(handles);
    }

    private int handle(String alias) throws KeyServiceException {
        Integer h = handles.get(alias);
        if (h == null) {
            throw new KeyServiceException("no persistent handle is configured for key '" + alias + "' (keyHandles of "
                    + TpmKeyService.PID + ": " + handles + ")");
        }
        return h;
    }

    private DeviceKey deviceKey(String alias, TpmKey key) {
        return new TpmDeviceKey(alias, key.algorithm(), key.publicKey(), key.location(),
                new HeldKey(this::sign, "TPM", alias, key.algorithm()));
    }
}
