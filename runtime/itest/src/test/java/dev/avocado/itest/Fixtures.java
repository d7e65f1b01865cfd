package dev.avocado.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.avocado.api.firmware.FirmwareSignature;
import dev.avocado.api.lifecycle.Partitions;
import dev.avocado.tools.P1Bundles;
import dev.avocado.itest.p2probe.P2Probe;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.ops4j.pax.exam.Option;

/**
 * Device images for the integration tests, made outside the framework before it starts: a partition
 * one with a generated MPR, a partition two, a data partition. The bundles are the real partition one
 * bundles, from partitions/target/p1 as the device boots them (the Gogo shell without a console).
 */
public final class Fixtures {

    /** The test probe bundle's name in partition two. */
    public static final String PROBE_BSN = "dev.avocado.itest.p2probe";

    private Fixtures() {
    }

    /** A manufacturer: root (the MPR) and an IDevID issuing CA. */
    public record Manufacturer(KeyPair rootKey, X509Certificate root, KeyPair caKey, X509Certificate ca) {

        public static Manufacturer create(String name) {
            Instant from = Instant.now().minus(Duration.ofDays(1));
            KeyPair rootKey = KeyPairs.ecP256();
            X509Certificate root = MprProfile.issue(rootKey, "O=" + name + ",CN=" + name + " Root CA",
                    "https://127.0.0.1:8443", from, from.plus(Duration.ofDays(3650)));
            KeyPair caKey = KeyPairs.ecP256();
            X509Certificate ca = CertificateBuilder.subject("O=" + name + ",CN=" + name + " IDevID CA", caKey.getPublic())
                    .issuer(root, rootKey.getPrivate()).validity(from, from.plus(Duration.ofDays(3650))).ca(0)
                    .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).build();
            return new Manufacturer(rootKey, root, caKey, ca);
        }

        /** An IDevID for a device key, chain = IDevID, issuing CA. */
        public List<X509Certificate> idevid(java.security.PublicKey deviceKey, String serial) {
            X509Certificate cert = IdevidProfile.issue(ca, caKey.getPrivate(), null,
                    IdevidProfile.subject("Avocado", "Avocado test device", serial), deviceKey, "masa.test:9443",
                    Instant.now().minus(Duration.ofMinutes(5)));
            return List.of(cert, ca);
        }

        /** Writes root, CA certificate and CA key where a test inside the framework can read them. */
        public void save(Path dir) {
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("root.pem"), Pem.encode(root));
                Files.writeString(dir.resolve("ca.pem"), Pem.encode(ca));
                Files.writeString(dir.resolve("ca.key"), Pem.encode(caKey.getPrivate()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The firmware signer of an image: its certificate (codeSigning, issued by the manufacturer root) on
     * p1, as firmware build puts it there; the key signs builds for hot redeploy.
     */
    public static KeyPair firmwareSigner(Path image, Manufacturer m) {
        KeyPair key = KeyPairs.ecP256();
        Instant from = Instant.now().minus(Duration.ofDays(1));
        X509Certificate cert = CertificateBuilder.subject("O=Avocado,CN=Avocado Firmware Signing", key.getPublic())
                .issuer(m.root(), m.rootKey().getPrivate()).validity(from, from.plus(Duration.ofDays(3650))).endEntity()
                .keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_codeSigning).build();
        try {
            Files.writeString(image.resolve("p1").resolve(FirmwareSignature.SIGNER), Pem.encode(cert));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return key;
    }

    /** Writes {@code jar.sig}: the firmware signer's signature over the jar. */
    public static void sign(Path jar, KeyPair signer) {
        try {
            Files.write(jar.resolveSibling(jar.getFileName() + FirmwareSignature.SUFFIX),
                    FirmwareSignature.sign(Files.readAllBytes(jar), signer.getPrivate()));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh image folder: p1/mpr/mpr.pem, p2/bundles, data. */
    public static Path image(Manufacturer m) {
        try {
            Path root = Files.createTempDirectory("avocado-itest");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            Files.createDirectories(root.resolve("p1/mpr"));
            Files.writeString(root.resolve("p1/mpr/mpr.pem"), Pem.encode(m.root()));
            Files.createDirectories(root.resolve("p2/bundles"));
            Files.createDirectories(root.resolve("data/config"));
            Files.createDirectories(root.resolve("data/deploy"));
            m.save(root.resolve("manufacturer"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is no test failure
        }
    }

    /**
     * Puts an IDevID and its key on the data partition as provisioning leaves them: the key as the
     * software key service keeps it (data/keys/idevid.p8, PKCS#8), the chain in data/identity/idevid.pem.
     */
    public static void provisioned(Path image, Manufacturer m, String serial) {
        KeyPair device = KeyPairs.ecP256();
        try {
            Files.createDirectories(image.resolve("data/keys"));
            Files.writeString(image.resolve("data/keys/idevid.p8"), Pem.encode(device.getPrivate()));
            Files.createDirectories(image.resolve("data/identity"));
            Files.writeString(image.resolve("data/identity/idevid.pem"), Pem.encode(m.idevid(device.getPublic(), serial)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A partition two test bundle: {@link P2Probe}, registering its build number. */
    public static void probe(Path jar, int build, String extraImport) {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", PROBE_BSN);
        a.putValue("Bundle-Version", "1.0." + build);
        a.putValue("Bundle-Activator", P2Probe.class.getName());
        a.putValue("Import-Package", "org.osgi.framework" + (extraImport == null ? "" : "," + extraImport));
        a.putValue("Probe-Build", String.valueOf(build));
        String entry = P2Probe.class.getName().replace('.', '/') + ".class";
        try {
            Files.createDirectories(jar.getParent());
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, mf);
                    InputStream cls = P2Probe.class.getClassLoader().getResourceAsStream(entry)) {
                jos.putNextEntry(new JarEntry(entry));
                cls.transferTo(jos);
                jos.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Felix with the partition one bundles and the image's partitions as framework properties. The IDevID
     * provisioner is left out (the boot state machine's tests bring their own); {@link #deviceWithProvisioner}
     * has it.
     */
    public static Option[] device(Path image, Option... extra) {
        return device(image, false, extra);
    }

    public static Option[] deviceWithProvisioner(Path image, Option... extra) {
        return device(image, true, extra);
    }

    private static Option[] device(Path image, boolean provisioner, Option... extra) {
        Path partitions = Path.of(System.getProperty("avocado.partitions"));
        List<Option> o = new ArrayList<>();
        o.add(junitBundles());
        o.add(systemProperty("pax.exam.osgi.unresolved.fail").value("true"));
        o.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        // as the launcher does: the PKCS#11 wrapper from the class path, through the system bundle
        o.add(org.ops4j.pax.exam.CoreOptions.systemPackages("org.xipki.pkcs11.wrapper;version=1.0.9",
                "org.xipki.pkcs11.wrapper.attrs;version=1.0.9", "org.xipki.pkcs11.wrapper.params;version=1.0.9",
                "iaik.pkcs.pkcs11.wrapper;version=1.6.8"));
        o.add(frameworkProperty(Partitions.IMAGE).value(image.toString()));
        o.add(frameworkProperty(Partitions.P1).value(image.resolve("p1").toString()));
        o.add(frameworkProperty(Partitions.P2).value(image.resolve("p2").toString()));
        o.add(frameworkProperty(Partitions.DATA).value(image.resolve("data").toString()));
        o.add(frameworkProperty("felix.cm.dir").value(image.resolve("data/cm").toString()));
        o.add(frameworkProperty("felix.fileinstall.dir").value(image.resolve("data/config") + "," + image.resolve("data/deploy")));
        o.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        o.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        o.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
        o.add(frameworkProperty("felix.log.level").value("1"));
        o.add(frameworkProperty("ds.loglevel").value("warn"));
        o.add(frameworkProperty("ds.delayed.keepInstances").value("true"));
        o.add(frameworkProperty("gosh.args").value("--nointeractive"));
        // the bundles of p1.bndrun, as the image build lists them for the device
        try {
            for (P1Bundles.Entry b : P1Bundles.of(partitions.resolve("p1"))) {
                if (provisioner || !b.symbolicName().equals("dev.avocado.idevid")) {
                    o.add(bundle(b.jar().toUri().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        o.addAll(List.of(extra));
        return options(o.toArray(Option[]::new));
    }
}
