package dev.avocado.launcher;

import dev.avocado.api.firmware.FirmwareSignature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The signed manifest of partition one: {@code MANIFEST.sha256} lists the SHA-256 of every file in the
 * {@code sha256sum} format ({@code sha256sum -c} reads it), {@code MANIFEST.sha256.sig} is a detached
 * signature over it ({@code openssl dgst -sha256 -verify} reads it), made with the firmware signing
 * key whose certificate ({@code firmware-signer.pem}) the MPR issued.
 */
public final class FirmwareManifest {

    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String SIGNATURE = "MANIFEST.sha256.sig";
    public static final String SIGNER = FirmwareSignature.SIGNER;
    public static final String MPR = "mpr/mpr.pem";
    /** extendedKeyUsage id-kp-codeSigning. */
    public static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    /**
     * The MASA voucher-signing role (dev.avocado.protocol.x509.Oids.ID_KP_VOUCHER_SIGNING): an MPR
     * certificate with it anchors vouchers only, never firmware.
     */
    static final String VOUCHER_SIGNING = "2.25.316955595554317788219712835120522112690";

    private FirmwareManifest() {
    }

    /**
     * Checks partition two against its own signed manifest, signed by the firmware signer that
     * {@link #verify} returned for p1: no bundle of p2 may be changed, added or removed while the device is off.
     *
     * @throws FirmwareException naming the first file that differs, and how
     */
    public static void verifyPartitionTwo(Path p2, X509Certificate signer) throws FirmwareException {
        Signed p = read(p2, "p2", "partition two");
        checkSignature(signer, p.manifest(), p.signature(), "p2");
        p.requireListed();
    }

    /** Writes the manifest of {@code p1} and signs it. The signer certificate and the MPR must be in place. */
    public static void write(Path p1, PrivateKey signingKey) throws IOException, GeneralSecurityException {
        Files.deleteIfExists(p1.resolve(MANIFEST));
        Files.deleteIfExists(p1.resolve(SIGNATURE));
        byte[] manifest = render(hashes(p1));
        Files.write(p1.resolve(MANIFEST), manifest);
        Files.write(p1.resolve(SIGNATURE), FirmwareSignature.sign(manifest, signingKey));
    }

    /**
     * Checks partition one: the manifest signature, the signer certificate against the MPR, and every
     * file's hash; no file may be added or missing.
     *
     * @throws FirmwareException naming the first file that differs, and how
     */
    public static X509Certificate verify(Path p1) throws FirmwareException {
        Signed p = read(p1, "p1", "partition one");
        X509Certificate signer;
        try {
            signer = certificates(p1.resolve(SIGNER)).get(0);
            checkSigner(signer, certificates(p1.resolve(MPR)));
        } catch (FirmwareException e) {
            // the signer certificate or the MPR changed: name the file, if the manifest still says which
            String changed = null;
            try {
                changed = p.firstDifference();
            } catch (FirmwareException unreadable) {
                // the manifest is damaged too; the signer error is what can be said
            }
            throw changed == null ? e : new FirmwareException(changed + "; " + e.getMessage(), e);
        }
        checkSignature(signer, p.manifest(), p.signature(), "p1");
        p.requireListed();
        return signer;
    }

    /** A partition as found: its manifest, the manifest's signature, and the hashes of its files now. */
    private record Signed(String partition, byte[] manifest, byte[] signature, Map<String, String> actual) {

        String firstDifference() throws FirmwareException {
            return FirmwareManifest.firstDifference(parse(manifest), actual, partition);
        }

        void requireListed() throws FirmwareException {
            String changed = firstDifference();
            if (changed != null) {
                throw new FirmwareException(changed);
            }
        }
    }

    private static Signed read(Path folder, String partition, String name) throws FirmwareException {
        byte[] manifest;
        byte[] signature;
        try {
            manifest = Files.readAllBytes(folder.resolve(MANIFEST));
            signature = Files.readAllBytes(folder.resolve(SIGNATURE));
        } catch (IOException e) {
            throw new FirmwareException(name + " " + folder + " has no signed manifest (" + e.getMessage() + ")");
        }
        try {
            return new Signed(partition, manifest, signature, hashes(folder));
        } catch (IOException e) {
            throw new FirmwareException(name + " " + folder + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static void checkSignature(X509Certificate signer, byte[] manifest, byte[] signature, String partition)
            throws FirmwareException {
        boolean valid;
        try {
            valid = FirmwareSignature.verify(manifest, signature, signer.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new FirmwareException(partition + "/" + SIGNATURE + " cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new FirmwareException(partition + "/" + MANIFEST + " does not match its signature " + SIGNATURE
                    + " by the firmware signer: the manifest was changed after the firmware was built");
        }
    }

    /** The first file that differs from the manifest (changed, missing or added), or null. */
    private static String firstDifference(Map<String, String> listed, Map<String, String> actual, String partition) {
        for (Map.Entry<String, String> e : listed.entrySet()) {
            String now = actual.get(e.getKey());
            if (now == null) {
                return partition + "/" + e.getKey() + " is missing (it is in the signed manifest)";
            }
            if (!now.equals(e.getValue())) {
                return partition + "/" + e.getKey() + " changed after the firmware was built (SHA-256 " + now
                        + ", signed manifest says " + e.getValue() + ")";
            }
        }
        for (String name : new TreeSet<>(actual.keySet())) {
            if (!listed.containsKey(name)) {
                return partition + "/" + name + " was added after the firmware was built (it is not in the signed manifest)";
            }
        }
        return null;
    }

    /** The firmware signer role: an end entity with keyUsage digitalSignature and extendedKeyUsage
     * codeSigning, issued by an MPR root (never the MASA's voucher anchor). Its dates are not checked: a
     * device may boot with no trustworthy clock, and a firmware image must not stop booting one day. */
    private static void checkSigner(X509Certificate signer, List<X509Certificate> mpr) throws FirmwareException {
        if (signer.getBasicConstraints() >= 0) {
            throw new FirmwareException("p1/" + SIGNER + " (" + signer.getSubjectX500Principal().getName()
                    + ") is a CA certificate, not a firmware signer");
        }
        boolean[] ku = signer.getKeyUsage();
        if (ku != null && !ku[0]) {
            throw new FirmwareException("p1/" + SIGNER + " may not sign (keyUsage lacks digitalSignature)");
        }
        boolean issued = false;
        for (X509Certificate root : mpr) {
            try {
                List<String> rootEku = root.getExtendedKeyUsage();
                if (rootEku != null && rootEku.contains(VOUCHER_SIGNING)) {
                    continue; // the MASA's voucher anchor signs no firmware
                }
                signer.verify(root.getPublicKey());
                issued = true;
                break;
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next MPR key
            }
        }
        if (!issued) {
            throw new FirmwareException("p1/" + SIGNER + " (" + signer.getSubjectX500Principal().getName()
                    + ") is not issued by the MPR in p1/" + MPR);
        }
        try {
            List<String> eku = signer.getExtendedKeyUsage();
            if (eku == null || !eku.contains(CODE_SIGNING)) {
                throw new FirmwareException("p1/" + SIGNER + " may not sign firmware (no extendedKeyUsage codeSigning)");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new FirmwareException("p1/" + SIGNER + " has a malformed extendedKeyUsage", e);
        }
    }

    private static List<X509Certificate> certificates(Path file) throws FirmwareException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> result = new ArrayList<>();
            for (java.security.cert.Certificate c : certs) {
                result.add((X509Certificate) c);
            }
            if (result.isEmpty()) {
                throw new FirmwareException(file + " holds no certificate");
            }
            return result;
        } catch (IOException | GeneralSecurityException e) {
            throw new FirmwareException(file + " cannot be read as certificates: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of every file under p1 except the manifest and its signature, by path relative to p1. */
    static Map<String, String> hashes(Path p1) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(p1)) {
            files = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        Map<String, String> result = new TreeMap<>();
        for (Path f : files) {
            String name = p1.relativize(f).toString().replace('\\', '/');
            if (Files.isSymbolicLink(f)) {
                throw new IOException("p1/" + name + " is a symbolic link; firmware holds plain files only");
            }
            if (!name.equals(MANIFEST) && !name.equals(SIGNATURE)) {
                result.put(name, null);
            }
        }
        // hashing is most of a boot's check: spread the files over the cores
        Map<String, String> hashed = new ConcurrentHashMap<>();
        try {
            result.keySet().parallelStream().forEach(name -> {
                try {
                    hashed.put(name, sha256(p1.resolve(name)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        result.putAll(hashed);
        return result;
    }

    static byte[] render(Map<String, String> hashes) {
        StringBuilder b = new StringBuilder();
        hashes.forEach((name, hash) -> b.append(hash).append("  ").append(name).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> parse(byte[] manifest) throws FirmwareException {
        Map<String, String> result = new TreeMap<>();
        int n = 0;
        for (String line : new String(manifest, StandardCharsets.UTF_8).split("\n")) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}") || !line.startsWith("  ", 64)) {
                throw new FirmwareException("p1/" + MANIFEST + " line " + n + " is not '<sha256>  <path>'");
            }
            result.put(line.substring(66), line.substring(0, 64));
        }
        return result;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
