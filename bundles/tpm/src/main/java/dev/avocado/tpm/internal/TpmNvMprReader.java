package dev.avocado.tpm.internal;

import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.mpr.MprAnchor;
import dev.avocado.api.mpr.MprException;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.profile.ProfileException;
import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Reads the MPR from its TPM NV index instead of partition one. Configured (PID dev.avocado.mpr.tpm),
 * it ranks above the file reader, so the boot state machine and the shell use it.
 */
@Component(configurationPid = TpmNvMprReader.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"avocado.mpr.source=tpm-nv", "service.ranking:Integer=100"})
@Designate(ocd = TpmNvMprReader.Config.class)
public class TpmNvMprReader implements ManufacturerRootReader {

    public static final String PID = "dev.avocado.mpr.tpm";

    @ObjectClassDefinition(name = "Avocado MPR from TPM NV", description = "Reads the MPR from a TPM NV index")
    public @interface Config {
        @AttributeDefinition(description = "Default port of a provisioning address without one")
        int defaultPort() default MprProfile.DEFAULT_PORT;
    }

    @Reference
    private MprAnchor anchor;

    @Reference
    private DeviceClock clock;

    private int defaultPort;

    @Activate
    void activate(Config config) {
        defaultPort = config.defaultPort();
    }

    @Override
    public String source() {
        return anchor.source();
    }

    @Override
    public ManufacturerRoot read() throws MprException {
        Optional<byte[]> data = anchor.anchored();
        if (data.isEmpty()) {
            throw new MprException(source(), "no MPR was written into this TPM");
        }
        byte[] der = data.get();
        if (der.length == 32) {
            throw new MprException(source(), "holds only the SHA-256 of the MPR (anchored as a digest); reading the "
                    + "MPR from NV needs it anchored as a certificate");
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der))) {
                certs.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new MprException(source(), "malformed: " + e.getMessage(), e);
        }
        try {
            return new ManufacturerRoot(certs, MprProfile.check(certs, CheckTime.atLeast(clock::now).at(certs), defaultPort), source(),
                    HexFormat.of().formatHex(MprProfile.sha256(der)), source() + " (certificate)");
        } catch (ProfileException e) {
            throw new MprException(source(), e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new MprException(source(), "holds no certificate", e);
        }
    }
}
