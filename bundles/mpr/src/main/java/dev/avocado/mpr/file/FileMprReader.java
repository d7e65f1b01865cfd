package dev.avocado.mpr.file;

import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.api.mpr.ManufacturerRoot;
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
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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
    private final Clock clock = Clock.systemUTC();

    @Activate
    public FileMprReader(BundleContext context, FileMprConfig config) {
        this.file = Partitions.folder(context, config.path(), Partitions.P1, WELL_KNOWN_PATH);
        this.defaultPort = config.defaultPort();
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
            provisioning = MprProfile.check(certs, clock.instant(), defaultPort);
        } catch (ProfileException e) {
            throw new MprException(source(), e.getMessage(), e);
        }
        return new ManufacturerRoot(certs, provisioning, "file:" + source(), sha256(data));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
