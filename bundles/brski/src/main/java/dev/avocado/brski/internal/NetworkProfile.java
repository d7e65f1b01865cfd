package dev.avocado.brski.internal;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepReporter;
import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * E.1: the WPA2/WPA3-Enterprise EAP-TLS profile that uses the LDevID: a wpa_supplicant network block
 * and a NetworkManager keyfile, beside the LDevID chain and the domain CA they name, the key named by
 * its file.
 */
public final class NetworkProfile {

    static final String WPA_SUPPLICANT = "wpa_supplicant-avocado.conf";
    static final String NETWORK_MANAGER = "avocado.nmconnection";
    static final String LDEVID = "ldevid.pem";
    static final String DOMAIN_CA = "domain-ca.pem";

    /** What was written, for the log and the shell. */
    record Written(Path wpaSupplicant, Path networkManager) {
    }

    private NetworkProfile() {
    }

    /**
     * Writes the profile (each file atomically; the two profiles last, so they never name a certificate
     * file that is not there).
     */
    static Written write(Path folder, String ssid, String identity, String radiusServer, List<X509Certificate> ldevidChain,
            List<X509Certificate> domainCas, DeviceKey key) throws IOException {
        AtomicFiles.folder(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path ldevid = folder.resolve(LDEVID);
        Path ca = folder.resolve(DOMAIN_CA);
        AtomicFiles.write(ldevid, Pem.encode(ldevidChain).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        AtomicFiles.write(ca, Pem.encode(domainCas).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        Path wpa = folder.resolve(WPA_SUPPLICANT);
        Path nm = folder.resolve(NETWORK_MANAGER);
        AtomicFiles.write(wpa, wpaSupplicant(ssid, identity, radiusServer, ca, ldevid, key).getBytes(StandardCharsets.UTF_8),
                AtomicFiles.OWNER_ONLY);
        AtomicFiles.write(nm, networkManager(ssid, identity, radiusServer, ca, ldevid, key).getBytes(StandardCharsets.UTF_8),
                AtomicFiles.OWNER_ONLY);
        return new Written(wpa, nm);
    }

    /**
     * E.1. The LDevID is kept whatever happens here: a profile that cannot be written is told as the
     * step's failure (and written again at the next boot or renewal), not a reason to enroll again.
     *
     * @return true when the profile was written
     */
    static boolean e1(DeviceIdentity ldevid, String serial, KeyService ldevidKeys, StepReporter steps, BrskiConfig config,
            Path folder) {
        String ssid = config.ssid();
        try {
            DeviceKey key = ldevidKeys.find(ldevid.keyAlias()).orElseThrow(() -> new IOException(
                    "the LDevID's key " + ldevid.keyAlias() + " is not in " + ldevidKeys.describe()));
            if (keyFile(key) == null) {
                remove(folder);
                steps.failed(Step.E_1, "the LDevID key is at " + key.location() + ", which wpa_supplicant cannot "
                        + "use here: the tpm2tss engine signs wrongly under OpenSSL 3 and the tpm2-openssl provider needs "
                        + "the key's TSS2 file, which the TPM key service does not keep; the LDevID is saved, but EAP-TLS "
                        + "needs the software LDevID key (ldevidKeyService.target, the default)");
                return false;
            }
            String radiusServer = radiusServer(config);
            if (radiusServer == null) {
                remove(folder);
                steps.failed(Step.E_1, "no RADIUS server name: set radiusServer (the configured registrar '"
                        + config.registrarUrl() + "' has no DNS domain to derive it from); without it any server "
                        + "certificate of the domain would be taken for the RADIUS server. The LDevID is saved");
                return false;
            }
            List<X509Certificate> cas = ldevid.chain().subList(1, ldevid.chain().size());
            Written w = write(folder, ssid, serial, radiusServer,
                    List.of(ldevid.certificate()), cas, key);
            steps.done(Step.E_1, "EAP-TLS profile for network '" + ssid + "' as " + serial + ", RADIUS server "
                    + radiusServer + ": "
                    + w.wpaSupplicant() + ", " + w.networkManager());
            return true;
        } catch (Exception e) {
            steps.failed(Step.E_1, "the network profile cannot be written to " + folder + ": "
                    + Onboarding.message(e) + "; the LDevID is saved, the profile is written again at the next start");
            return false;
        }
    }

    /**
     * The RADIUS server's name: configured, or {@code radius.} and the domain of the configured
     * registrar's DNS name; null when neither gives one (an IP address, a single label).
     */
    static String radiusServer(BrskiConfig config) {
        if (!config.radiusServer().isBlank()) {
            return config.radiusServer().trim();
        }
        String host;
        try {
            host = config.registrarUrl().isBlank() ? null : java.net.URI.create(config.registrarUrl()).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
        // registrar.example.com gives radius.example.com; fewer labels (example.com) name no domain of the owner's
        if (host == null || host.startsWith("[") || host.matches("[0-9.]+") || host.split("\\.").length < 3) {
            return null;
        }
        return "radius." + host.substring(host.indexOf('.') + 1);
    }

    /** The profile files present in a folder. */
    static List<Path> present(Path folder) {
        List<Path> files = new ArrayList<>();
        for (String name : List.of(WPA_SUPPLICANT, NETWORK_MANAGER, LDEVID, DOMAIN_CA)) {
            if (Files.exists(folder.resolve(name))) {
                files.add(folder.resolve(name));
            }
        }
        return files;
    }

    /** Removes the profile, the profiles first. */
    static void remove(Path folder) throws IOException {
        for (String name : List.of(WPA_SUPPLICANT, NETWORK_MANAGER, LDEVID, DOMAIN_CA)) {
            AtomicFiles.delete(folder.resolve(name));
        }
    }

    /**
     * The wpa_supplicant network block (wpa_supplicant.conf(5)); PMF optional so WPA2 and WPA3 both work.
     * Public for the test that runs it against FreeRADIUS and eapol_test.
     */
    public static String wpaSupplicant(String ssid, String identity, String radiusServer, Path ca, Path ldevid,
            DeviceKey key) {
        StringBuilder b = new StringBuilder();
        b.append("# E.1: EAP-TLS with the LDevID of serial ").append(identity).append(" (written by Avocado)\n");
        b.append("network={\n");
        b.append("\tssid=\"").append(quoted(ssid)).append("\"\n");
        b.append("\tkey_mgmt=WPA-EAP WPA-EAP-SHA256\n");
        b.append("\tieee80211w=1\n");
        b.append("\tproto=RSN\n");
        b.append("\tpairwise=CCMP\n");
        b.append("\tgroup=CCMP\n");
        b.append("\teap=TLS\n");
        b.append("\tidentity=\"").append(quoted(identity)).append("\"\n");
        b.append("\tca_cert=\"").append(ca).append("\"\n");
        // the RADIUS server by name: a subjectAltName dNSName equal to it, not any server of the domain
        b.append("\tdomain_match=\"").append(quoted(radiusServer)).append("\"\n");
        b.append("\tclient_cert=\"").append(ldevid).append("\"\n");
        b.append("\tprivate_key=\"").append(requireFile(key)).append("\"\n");
        b.append("}\n");
        return b.toString();
    }

    /** The NetworkManager keyfile (nm-settings-keyfile(5)). */
    static String networkManager(String ssid, String identity, String radiusServer, Path ca, Path ldevid, DeviceKey key) {
        UUID uuid = UUID.nameUUIDFromBytes(("avocado:" + ssid + ":" + identity).getBytes(StandardCharsets.UTF_8));
        String file = requireFile(key);
        return "# E.1: EAP-TLS with the LDevID of serial " + identity + " (written by Avocado)\n"
                + "[connection]\nid=avocado-" + ssid + "\nuuid=" + uuid + "\ntype=wifi\nautoconnect=true\n\n"
                + "[wifi]\nmode=infrastructure\nssid=" + ssid + "\n\n"
                + "[wifi-security]\nkey-mgmt=wpa-eap\npmf=2\nproto=rsn\npairwise=ccmp;\ngroup=ccmp;\n\n"
                + "[802-1x]\neap=tls;\nidentity=" + identity + "\nca-cert=" + ca + "\ndomain-match=" + radiusServer
                + "\nclient-cert=" + ldevid + "\n"
                + "private-key=" + file + "\nprivate-key-password-flags=4\n"
                + "\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n";
    }

    /** The key's file, or null when it is not a file (a TPM key). */
    static String keyFile(DeviceKey key) {
        return key.location().startsWith("file:") ? key.location().substring("file:".length()) : null;
    }

    private static String requireFile(DeviceKey key) {
        String file = keyFile(key);
        if (file == null) {
            throw new IllegalArgumentException("the key at " + key.location() + " is not a file");
        }
        return file;
    }

    private static String quoted(String s) {
        if (s.contains("\"") || s.contains("\n")) {
            throw new IllegalArgumentException("'" + s + "' cannot be quoted in a wpa_supplicant block");
        }
        return s;
    }
}
