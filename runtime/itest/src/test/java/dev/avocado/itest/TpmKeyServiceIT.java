package dev.avocado.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.Reboot;
import dev.avocado.itest.Fixtures.Manufacturer;
import dev.avocado.protocol.profile.IdevidProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Collection;
import java.util.Hashtable;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The TPM key service inside Felix against swtpm, configured as a device is (data/config): keys made
 * and used in the TPM, a CSR signed there, nothing private on the data partition, wipe evicts them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TpmKeyServiceIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        String tcti = TpmFixture.start();
        Path image = Fixtures.image(Manufacturer.create("Acme"));
        try {
            Files.writeString(image.resolve("data/config/dev.avocado.keys.cfg"), "keyService.target=(avocado.keys.type=tpm)\n");
            Files.writeString(image.resolve("data/config/dev.avocado.keys.tpm.cfg"), "tcti=" + tcti + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Fixtures.device(image, frameworkProperty("itest.tcti").value(tcti));
    }

    @Test
    public void deviceKeysAreMadeAndUsedInTheTpmAndNeverWrittenToTheDataPartition() throws Exception {
        Device device = new Device(context);
        DeviceLifecycle lifecycle = device.awaitSettled(DeviceState.UNPROVISIONED, 30_000);
        assertTrue(lifecycle.reason(), lifecycle.reason().contains("keys: TPM IBM"));
        assertTrue(lifecycle.reason(), lifecycle.reason().endsWith("via " + context.getProperty("itest.tcti")));

        KeyService keys = tpmKeyService();
        assertTrue(keys.secureStorage());
        DeviceKey key = keys.create(KeyService.IDEVID, KeyAlgorithm.EC_P256);
        assertEquals("tpm:0x81020000", key.location());

        byte[] message = "voucher request".getBytes(StandardCharsets.UTF_8);
        byte[] sig = keys.sign(KeyService.IDEVID, SignatureScheme.ECDSA_SHA256, MessageDigest.getInstance("SHA-256").digest(message));
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(key.publicKey());
        v.update(message);
        assertTrue(v.verify(sig));

        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                IdevidProfile.subject("Acme", "sensor", "SN-9"), key.publicKey())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(keys.provider()).build(key.privateKey()));
        assertTrue("CSR proof of possession", csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey())));

        String handles = device.shell("tpm:handles");
        assertTrue(handles, handles.contains("0x81020000  key idevid"));
        assertTrue(handles, handles.contains("0x81000001"));
        assertTrue(handles, handles.contains("transient: none"));
        String shown = device.shell("tpm:key idevid");
        assertTrue(shown, shown.contains("algorithm:  EC_P256"));
        assertTrue(device.shell("device:keys"), device.shell("device:keys").contains("idevid: EC_P256 at tpm:0x81020000"));

        // nothing private on the data partition
        Path data = Path.of(context.getProperty("avocado.data"));
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                assertFalse("no software key file: " + f, name.endsWith(".p8") || name.endsWith(".key"));
                if (Files.size(f) < 1_000_000 && !f.startsWith(data.resolve("felix-cache"))) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse("no private key in " + f, text.contains("PRIVATE KEY"));
                }
            }
        }

        // wipe evicts the key from the TPM
        context.registerService(Reboot.class, () -> { }, null);
        device.shell("device:wipe");
        assertFalse(keys.find(KeyService.IDEVID).isPresent());
        assertFalse(device.shell("tpm:handles").contains("0x81020000"));
    }

    private KeyService tpmKeyService() throws Exception {
        Collection<ServiceReference<KeyService>> refs = context.getServiceReferences(KeyService.class, "(avocado.keys.type=tpm)");
        assertEquals(1, refs.size());
        return context.getService(refs.iterator().next());
    }

}
