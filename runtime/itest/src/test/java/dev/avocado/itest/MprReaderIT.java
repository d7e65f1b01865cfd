package dev.avocado.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.mpr.MprException;
import dev.avocado.itest.Fixtures.Manufacturer;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.CertificateBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.inject.Inject;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/** The MPR service on a generated MPR, and on each kind of bad one: a clear error and a failed device. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MprReaderIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Manufacturer m = Manufacturer.create("Acme");
        Path image = Fixtures.image(m);
        Path bad = image.resolve("bad");
        Instant now = Instant.now();
        try {
            Files.createDirectories(bad);
            Files.writeString(bad.resolve("expired.pem"), Pem.encode(MprProfile.issue(m.rootKey(), "CN=Acme Root CA",
                    "https://127.0.0.1:8443", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)))));
            Files.writeString(bad.resolve("not-ca.pem"), Pem.encode(CertificateBuilder.subject("CN=Acme Root CA",
                    m.rootKey().getPublic()).selfSigned(m.rootKey().getPrivate()).validity(now, now.plus(Duration.ofDays(9)))
                    .endEntity().subjectAltName(MprProfile.addressName("10.1.2.3")).build()));
            Files.writeString(bad.resolve("no-address.pem"), Pem.encode(CertificateBuilder.subject("CN=Acme Root CA",
                    m.rootKey().getPublic()).selfSigned(m.rootKey().getPrivate()).validity(now, now.plus(Duration.ofDays(9)))
                    .ca(-1).keyUsage(KeyUsage.keyCertSign).build()));
            Files.writeString(bad.resolve("malformed.pem"), "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n");
            Files.writeString(bad.resolve("build5.pem"), Pem.encode(MprProfile.issue(m.rootKey(), "CN=Build5 Root",
                    "192.168.4.1", now, now.plus(Duration.ofDays(9)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Fixtures.device(image, frameworkProperty("itest.bad").value(bad.toString()));
    }

    /** The MPR partition one holds, as the reader names it without configuration. */
    private static String p1Mpr;

    @Before
    public void rememberTheMprOfPartitionOne() throws Exception {
        if (p1Mpr == null) {
            p1Mpr = reader(new Device(context)).source();
        }
    }

    /** The tests share one framework: each leaves the reader on partition one's MPR and the device booted again. */
    @After
    public void backToTheMprOfPartitionOne() throws Exception {
        Device device = new Device(context);
        device.unconfigure("dev.avocado.mpr");
        Await.until("the reader of " + p1Mpr, 10_000, () -> reader(device).source().equals(p1Mpr), () -> reader(device).source());
        Await.until("the device booted on the p1 MPR", 10_000, () -> device.lifecycle().state() == DeviceState.UNPROVISIONED,
                device::describe);
    }

    @Test
    public void generatedMprNamesManufacturerKeyAndProvisioningAddress() throws Exception {
        Device device = new Device(context);
        ManufacturerRoot root = device.service(ManufacturerRootReader.class).read();
        assertEquals(URI.create("https://127.0.0.1:8443"), root.provisioningUri());
        assertEquals("CN=Acme Root CA,O=Acme", root.subject());
        assertEquals(1, root.publicKeys().size());

        String shown = device.shell("mpr:show");
        assertTrue(shown, shown.contains("Manufacturer:      CN=Acme Root CA,O=Acme"));
        assertTrue(shown, shown.contains("Provisioning:      https://127.0.0.1:8443"));
        assertTrue(shown, shown.contains("Key 1:             EC 256-bit, SHA-256 "));

        String state = device.shell("device:state");
        assertTrue(state, state.contains("state:   unprovisioned"));
        assertTrue(state, state.contains("no IDevID yet"));
    }

    @Test
    public void ipAddressMprGetsTheConfiguredDefaultPort() throws Exception {
        Device device = new Device(context);
        Path file = Path.of(context.getProperty("itest.bad")).resolve("build5.pem");
        device.configure("dev.avocado.mpr", "path", file.toString(), "defaultPort", 9443);
        Await.until("the reader of " + file, 10_000, () -> reader(device).source().equals(file.toString()),
                () -> reader(device).source());
        assertEquals(URI.create("https://192.168.4.1:9443"), reader(device).read().provisioningUri());
    }

    @Test
    public void eachBadMprIsAClearErrorAndAFailedDevice() throws Exception {
        Device device = new Device(context);
        Path bad = Path.of(context.getProperty("itest.bad"));
        String[][] cases = {
            {"missing.pem", "file is missing"},
            {"malformed.pem", "malformed"},
            {"expired.pem", "expired on"},
            {"not-ca.pem", "is not a CA certificate"},
            {"no-address.pem", "names no provisioning address"},
        };
        for (String[] c : cases) {
            Path file = bad.resolve(c[0]);
            device.configure("dev.avocado.mpr", "path", file.toString());
            Await.until("the reader of " + file, 10_000, () -> reader(device).source().equals(file.toString()),
                    () -> reader(device).source());
            MprException e = assertThrows(MprException.class, () -> reader(device).read());
            assertTrue(e.getMessage(), e.getMessage().startsWith("MPR " + file + ": "));
            assertTrue(e.getMessage(), e.getMessage().contains(c[1]));

            // the boot state machine restarts with the new MPR and fails visibly, saying why
            Await.until("failed state for " + c[0], 10_000, () -> {
                DeviceLifecycle l = device.lifecycle();
                return l.state() == DeviceState.FAILED && l.reason().contains(file.toString())
                        && l.reason().contains(c[1]);
            }, device::describe);
        }
    }

    private static ManufacturerRootReader reader(Device device) {
        return device.service(ManufacturerRootReader.class);
    }
}
