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
 * E.1: the EAP-TLS profile that uses the LDevID, for a WPA2/WPA3-Enterprise Wi-Fi network or a wired
 * IEEE 802.1X port: a wpa_supplicant configuration and a NetworkManager keyfile, beside the LDevID chain
 * and the domain CA they name; the key named by its PKCS#11 URI when it is in a token (the TPM), by its
 * file otherwise.
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
    static Written write(Path folder, Link link, String identity, String radiusServer, List<X509Certificate> ldevidChain,
            List<X509Certificate> domainCas, ProfileKey key) throws IOException {
        AtomicFiles.folder(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path ldevid = folder.resolve(LDEVID);
        Path ca = folder.resolve(DOMAIN_CA);
        AtomicFiles.write(ldevid, Pem.encode(ldevidChain).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        AtomicFiles.write(ca, Pem.encode(domainCas).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        Path wpa = folder.resolve(WPA_SUPPLICANT);
        Path nm = folder.resolve(NETWORK_MANAGER);
        AtomicFiles.write(wpa, wpaSupplicant(link, identity, radiusServer, ca, ldevid, key).getBytes(StandardCharsets.UTF_8),
                AtomicFiles.OWNER_ONLY);
        AtomicFiles.write(nm, networkManager(link, identity, radiusServer, ca, ldevid, key).getBytes(StandardCharsets.UTF_8),
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
        try {
            Link link = Link.of(config);
            DeviceKey key = ldevidKeys.find(ldevid.keyAlias()).orElseThrow(() -> new IOException(
                    "the LDevID's key " + ldevid.keyAlias() + " is not in " + ldevidKeys.describe()));
            // the engine is Debian's, never a path from the data partition: wpa_supplicant runs it as root
            ProfileKey ref = ProfileKey.of(key, ProfileKey.defaultEngine());
            if (ref == null) {
                remove(folder);
                steps.failed(Step.E_1, "the LDevID key is at " + key.location() + ", which wpa_supplicant cannot "
                        + "use: it reaches TPM keys only through a PKCS#11 token (tpm2-pkcs11), and this key is at a "
                        + "handle of the ESYS key service; the LDevID is saved, but EAP-TLS needs the LDevID key in the "
                        + "PKCS#11 key service (the firmware's avocado.ldevid.keys=pkcs11, the default with a TPM)");
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
            Written w = write(folder, link, serial, radiusServer, List.of(ldevid.certificate()), cas, ref);
            steps.done(Step.E_1, "EAP-TLS profile for " + link + " as " + serial + ", RADIUS server " + radiusServer
                    + ", key " + (ref.token() ? ref.privateKey() + " (PKCS#11 module " + ref.module() + ")"
                    : "file " + ref.privateKey()) + ": " + w.wpaSupplicant() + ", " + w.networkManager());
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
     * The wpa_supplicant configuration (wpa_supplicant.conf(5)) with one network: Wi-Fi with PMF optional
     * so WPA2 and WPA3 both work, or a wired port (ap_scan=0, for {@code wpa_supplicant -D wired}). A key in
     * a token is loaded through OpenSSL's PKCS#11 engine from the module that holds it. Public for the tests
     * that run it with FreeRADIUS, eapol_test and hostapd.
     */
    public static String wpaSupplicant(Link link, String identity, String radiusServer, Path ca, Path ldevid,
            ProfileKey key) {
        StringBuilder b = new StringBuilder();
        b.append("# E.1: EAP-TLS with the LDevID of serial ").append(identity).append(" (written by Avocado)\n");
        if (link.wired()) {
            b.append("ap_scan=0\n");
        }
        if (key.token()) {
            b.append("pkcs11_engine_path=").append(quoted("engine path", key.engine().toString())).append('\n');
            b.append("pkcs11_module_path=").append(quoted("module path", key.module().toString())).append('\n');
        }
        b.append("network={\n");
        if (link.wired()) {
            b.append("\tkey_mgmt=IEEE8021X\n");
            // no dynamic WEP keys after the EAP exchange: a wired port is authorized, not encrypted
            b.append("\teapol_flags=0\n");
        } else {
            b.append("\tssid=\"").append(quoted("SSID", link.ssid())).append("\"\n");
            b.append("\tkey_mgmt=WPA-EAP WPA-EAP-SHA256\n");
            b.append("\tieee80211w=1\n");
            b.append("\tproto=RSN\n");
            b.append("\tpairwise=CCMP\n");
            b.append("\tgroup=CCMP\n");
        }
        b.append("\teap=TLS\n");
        b.append("\tidentity=\"").append(quoted("identity", identity)).append("\"\n");
        b.append("\tca_cert=\"").append(ca).append("\"\n");
        // the RADIUS server by name: a subjectAltName dNSName equal to it, not any server of the domain
        b.append("\tdomain_match=\"").append(quoted("RADIUS server name", radiusServer)).append("\"\n");
        b.append("\tclient_cert=\"").append(ldevid).append("\"\n");
        b.append("\tprivate_key=\"").append(quoted("private key reference", key.privateKey())).append("\"\n");
        if (key.token()) {
            b.append("\tpin=\"").append(quoted("token PIN", key.pin())).append("\"\n");
        }
        b.append("}\n");
        return b.toString();
    }

    /**
     * The NetworkManager keyfile (nm-settings-keyfile(5)); for a key in a token, private-key is its PKCS#11
     * URI and private-key-password the token's PIN, kept in this owner-only file (NetworkManager finds the
     * module through p11-kit, where Debian's tpm2-pkcs11 registers).
     */
    static String networkManager(Link link, String identity, String radiusServer, Path ca, Path ldevid, ProfileKey key) {
        UUID uuid = UUID.nameUUIDFromBytes(("avocado:" + link + ":" + identity).getBytes(StandardCharsets.UTF_8));
        StringBuilder b = new StringBuilder("# E.1: EAP-TLS with the LDevID of serial " + identity + " (written by Avocado)\n");
        if (link.wired()) {
            b.append("[connection]\nid=avocado-wired\nuuid=").append(uuid).append("\ntype=ethernet\nautoconnect=true\n\n")
                    .append("[ethernet]\n\n");
        } else {
            b.append("[connection]\nid=avocado-").append(link.ssid()).append("\nuuid=").append(uuid)
                    .append("\ntype=wifi\nautoconnect=true\n\n")
                    .append("[wifi]\nmode=infrastructure\nssid=").append(link.ssid()).append("\n\n")
                    .append("[wifi-security]\nkey-mgmt=wpa-eap\npmf=2\nproto=rsn\npairwise=ccmp;\ngroup=ccmp;\n\n");
        }
        b.append("[802-1x]\neap=tls;\nidentity=").append(identity).append("\nca-cert=").append(ca)
                .append("\ndomain-match=").append(radiusServer).append("\nclient-cert=").append(ldevid)
                .append("\nprivate-key=").append(key.privateKey()).append('\n');
        if (key.token()) {
            b.append("private-key-password=").append(key.pin()).append("\nprivate-key-password-flags=0\n");
        } else {
            b.append("private-key-password-flags=4\n");
        }
        b.append("\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n");
        return b.toString();
    }

    /** The link E.1 writes the profile for: a Wi-Fi network by its SSID, or a wired 802.1X port. */
    public record Link(String kind, String ssid) {

        public static Link of(BrskiConfig config) {
            return switch (config.link()) {
                case "wifi" -> new Link("wifi", config.ssid());
                case "wired" -> wiredPort();
                default -> throw new IllegalArgumentException("link must be wifi or wired, not '" + config.link() + "'");
            };
        }

        public static Link wifi(String ssid) {
            return new Link("wifi", ssid);
        }

        public static Link wiredPort() {
            return new Link("wired", null);
        }

        boolean wired() {
            return kind.equals("wired");
        }

        @Override
        public String toString() {
            return wired() ? "the wired 802.1X port" : "Wi-Fi network '" + ssid + "'";
        }
    }

    /** A value for a quoted field (or a line) of wpa_supplicant.conf; the message names the field, never the value (a PIN). */
    private static String quoted(String field, String s) {
        if (s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            throw new IllegalArgumentException("the " + field + " has a quote or a line break, which a wpa_supplicant "
                    + "configuration cannot carry");
        }
        return s;
    }
}
