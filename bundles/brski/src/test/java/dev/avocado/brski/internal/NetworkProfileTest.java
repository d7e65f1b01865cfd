package dev.avocado.brski.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.Test;

/** E.1's two renderings, for each link and each kind of key (the real peers run them in tools/cli's tests). */
public class NetworkProfileTest {

    private static final Path CA = Path.of("/data/network/domain-ca.pem");
    private static final Path LDEVID = Path.of("/data/network/ldevid.pem");
    private static final ProfileKey TOKEN = new ProfileKey("pkcs11:token=avocado;object=ldevid;type=private", "0123abcd",
            Path.of("/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1"), Path.of("/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"));

    @Test
    public void aWiredPortWithTheKeyInATokenLoadsItThroughThePkcs11Engine() {
        String wpa = NetworkProfile.wpaSupplicant(NetworkProfile.Link.wiredPort(), "SN-1", "radius.example", CA, LDEVID, TOKEN);
        assertTrue(wpa, wpa.contains("\nap_scan=0\npkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\n"
                + "pkcs11_module_path=/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1\nnetwork={\n"));
        assertTrue(wpa, wpa.contains("\tkey_mgmt=IEEE8021X\n\teapol_flags=0\n\teap=TLS\n"));
        assertTrue(wpa, wpa.contains("\tprivate_key=\"pkcs11:token=avocado;object=ldevid;type=private\"\n\tpin=\"0123abcd\"\n"));
        assertFalse(wpa, wpa.contains("ssid="));
        String nm = NetworkProfile.networkManager(NetworkProfile.Link.wiredPort(), "SN-1", "radius.example", CA, LDEVID, TOKEN);
        assertTrue(nm, nm.contains("type=ethernet\n") && nm.contains("[ethernet]\n"));
        assertTrue(nm, nm.contains("private-key=pkcs11:token=avocado;object=ldevid;type=private\n"
                + "private-key-password=0123abcd\nprivate-key-password-flags=0\n"));
    }

    @Test
    public void wifiWithAKeyFileNamesTheFileAndNoEngine() {
        ProfileKey file = ProfileKey.file(Path.of("/data/keys/ldevid.p8"));
        String wpa = NetworkProfile.wpaSupplicant(NetworkProfile.Link.wifi("owner-net"), "SN-1", "radius.example", CA, LDEVID,
                file);
        assertTrue(wpa, wpa.contains("\tssid=\"owner-net\"\n\tkey_mgmt=WPA-EAP WPA-EAP-SHA256\n"));
        assertTrue(wpa, wpa.contains("\tprivate_key=\"/data/keys/ldevid.p8\"\n}"));
        assertFalse(wpa, wpa.contains("pkcs11") || wpa.contains("ap_scan") || wpa.contains("pin="));
        String nm = NetworkProfile.networkManager(NetworkProfile.Link.wifi("owner-net"), "SN-1", "radius.example", CA, LDEVID,
                file);
        assertTrue(nm, nm.contains("type=wifi\n") && nm.contains("private-key=/data/keys/ldevid.p8\nprivate-key-password-flags=4\n"));
    }

    @Test
    public void whatCannotBeQuotedIsRefusedNotWritten() {
        ProfileKey quoted = new ProfileKey("pkcs11:token=a;object=b", "12\"34", TOKEN.module(), TOKEN.engine());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkProfile.wpaSupplicant(
                NetworkProfile.Link.wiredPort(), "SN-1", "radius.example", CA, LDEVID, quoted));
        assertEquals("the token PIN has a quote or a line break, which a wpa_supplicant configuration cannot carry",
                e.getMessage());
    }
}
