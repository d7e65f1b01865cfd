package dev.avocado.identity.file;

import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.DeviceIdentity.Kind;
import dev.avocado.api.identity.IdentityException;
import dev.avocado.api.identity.IdentityStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/** The identity store on the data partition ({@code data/identity}). */
@Component(configurationPid = FileIdentityStore.PID)
@Designate(ocd = IdentityConfig.class)
public class FileIdentityStore implements IdentityStore {

    public static final String PID = "dev.avocado.identity";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private IdentityFiles files;

    @Activate
    void activate(BundleContext context, IdentityConfig config) {
        files = new IdentityFiles(Partitions.folder(context, config.folder(), Partitions.DATA, "identity"));
        try {
            int stale = AtomicFiles.removeTemporaries(files.folder());
            if (stale > 0) {
                log.warn("removed {} temporary file(s) an interrupted write left in {}", stale, files.folder());
            }
        } catch (java.io.IOException e) {
            log.warn("cannot clean {}: {}", files.folder(), e.getMessage());
        }
    }

    @Override
    public Optional<DeviceIdentity> idevid() throws IdentityException {
        return files.read(Kind.IDEVID);
    }

    @Override
    public synchronized DeviceIdentity saveIdevid(List<X509Certificate> chain, String keyAlias) throws IdentityException {
        DeviceIdentity saved = files.save(Kind.IDEVID, chain, keyAlias, true);
        log.info("IDevID saved: {} at {}", saved.certificate().getSubjectX500Principal(), saved.location());
        return saved;
    }

    @Override
    public Optional<DeviceIdentity> ldevid() throws IdentityException {
        return files.read(Kind.LDEVID);
    }

    @Override
    public synchronized DeviceIdentity saveLdevid(List<X509Certificate> chain, String keyAlias) throws IdentityException {
        DeviceIdentity saved = files.save(Kind.LDEVID, chain, keyAlias, false);
        log.info("LDevID saved: {} at {}", saved.certificate().getSubjectX500Principal(), saved.location());
        return saved;
    }

    @Override
    public Optional<String> attribute(Kind kind, String name) throws IdentityException {
        return files.attribute(kind, name);
    }

    @Override
    public synchronized void saveAttribute(Kind kind, String name, String value) throws IdentityException {
        files.saveAttribute(kind, name, value);
    }

    @Override
    public synchronized void wipe() throws IdentityException {
        files.delete(Kind.LDEVID);
        files.delete(Kind.IDEVID);
        log.warn("identity wiped: LDevID and IDevID removed from {}", files.folder());
    }

    @Override
    public String location() {
        return files.folder().toString();
    }
}
