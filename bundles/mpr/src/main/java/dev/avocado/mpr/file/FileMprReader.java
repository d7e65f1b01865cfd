package dev.avocado.mpr.file;

import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.mpr.MprAnchor;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.mpr.MprException;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.profile.ProfileException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/** Reads the MPR from its well-known file on partition one ({@code p1/mpr/mpr.pem}). */
@Component(configurationPid = FileMprReader.PID, property = "avocado.mpr.source=file")
@Designate(ocd = FileMprConfig.class)
public class FileMprReader implements ManufacturerRootReader {

    public static final String PID = "dev.avocado.mpr";
    /** Where the MPR is on partition one, relative to the partition. */
    public static final String WELL_KNOWN_PATH = "mpr/mpr.pem";

    private final Path file;
    private final int defaultPort;
    /** The anchor the firmware requires (its source), or null. */
    private final String requiredAnchor;
    private final int anchorWaitSeconds;
    private final BundleContext context;

    /** An unchangeable copy of the MPR (TPM NV), when the device has one. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MprAnchor anchor;

    /** The device's now: the MPR is checked at it, never at a system clock that is years behind. */
    @Reference
    private DeviceClock clock;

    @Activate
    public FileMprReader(BundleContext context, FileMprConfig config) {
        this.file = Partitions.folder(context, config.path(), Partitions.P1, WELL_KNOWN_PATH);
        this.defaultPort = config.defaultPort();
        this.requiredAnchor = context.getProperty(MprAnchor.FIRMWARE_PROPERTY);
        this.anchorWaitSeconds = config.anchorWaitSeconds();
        this.context = context;
    }

    @Override
    public String source() {
        return file.toAbsolutePath().toString();
    }

    @Override
    public ManufacturerRoot read() throws MprException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MprException(source(), "file is missing");
        } catch (IOException e) {
            throw new MprException(source(), "cannot be read: " + e.getMessage(), e);
        }
        List<X509Certificate> certs;
        try {
            certs = Pem.readCertificates(data, file.getFileName().toString());
        } catch (IOException e) {
            throw new MprException(source(), "malformed: " + e.getMessage(), e);
        }
        URI provisioning;
        try {
            provisioning = MprProfile.check(certs, CheckTime.atLeast(clock::now).at(certs), defaultPort);
        } catch (ProfileException e) {
            throw new MprException(source(), e.getMessage(), e);
        }
        byte[] der = MprProfile.der(certs);
        return new ManufacturerRoot(certs, provisioning, "file:" + source(), HexFormat.of().formatHex(MprProfile.sha256(der)),
                checkAnchor(der));
    }

    /**
     * Compares the MPR with its anchored copy; returns where that is, or null when there is none. An
     * anchor in the service registry counts even before DS has bound it here: the TPM key service is
     * the anchor, so a boot that has its key service has the anchor, whatever order the binds run in.
     */
    private String checkAnchor(byte[] der) throws MprException {
        ServiceReference<MprAnchor> registered = anchor == null ? context.getServiceReference(MprAnchor.class) : null;
        MprAnchor held = registered == null ? null : context.getService(registered);
        try {
            return checkAnchor(der, held != null ? held : awaitAnchor());
        } finally {
            if (held != null) {
                context.ungetService(registered);
            }
        }
    }

    private String checkAnchor(byte[] der, MprAnchor a) throws MprException {
        if (a == null) {
            return null;
        }
        Optional<byte[]> anchored = a.anchored();
        if (anchored.isEmpty()) {
            if (requiredAnchor != null) {
                throw new MprException(source(), "the firmware anchors its MPR in " + requiredAnchor
                        + ", but nothing was anchored there");
            }
            return null;
        }
        byte[] expected = anchored.get();
        boolean match = expected.length == 32 ? MessageDigest.isEqual(expected, MprProfile.sha256(der))
                : MessageDigest.isEqual(expected, der);
        if (!match) {
            throw new MprException(source(), "does not match the MPR anchored in " + a.source()
                    + ": partition one holds another manufacturer root than the one written into this device");
        }
        return a.source() + (expected.length == 32 ? " (SHA-256)" : " (certificate)");
    }

    private MprAnchor awaitAnchor() throws MprException {
        MprAnchor a = anchor;
        if (a != null || requiredAnchor == null) {
            return a;
        }
        long deadline = System.nanoTime() + anchorWaitSeconds * 1_000_000_000L;
        while ((a = anchor) == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (a == null) {
            throw new MprException(source(), "the firmware anchors its MPR in " + requiredAnchor
                    + ", but no anchor service (the TPM key service) started within " + anchorWaitSeconds + " s");
        }
        return a;
    }
}
