package dev.avocado.tools;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Assert;
import dev.avocado.brski.internal.NetworkProfile;
import dev.avocado.brski.internal.ProfileKey;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * EAP-TLS against independent implementations (E.1): an LDevID under the domain CA and the wpa_supplicant
 * network block the device writes authenticate with a real FreeRADIUS and eapol_test, and the same block
 * refuses or is refused when either side's certificate is not under the CA the other trusts.
 */
public class FreeRadiusTest {

    private static final String SERIAL = "AVO-E1E2E3E4";

    @ClassRule
    public static TemporaryFolder pkiFolder = new TemporaryFolder();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The network owner's PKI. */
    private static Path domainCa;
    private static Path serverCert;
    private static Path serverKey;
    /** The device: its LDevID (then the domain CA), and its key. */
    private static Path ldevid;
    private static Path ldevidKey;
    /** The same key and subject, certified by a CA the owner does not trust. */
    private static Path strangerCert;
    /** A RADIUS server whose certificate is from a CA the device does not trust, and that CA. */
    private static Path rogueCa;
    /** The RADIUS server's name, which the profile names and its certificate carries. */
    static final String RADIUS = "radius.avocado.test";
    private static Path rogueServerCert;
    /** Another server of the same domain (a web server's certificate, say), serverAuth under the domain CA. */
    private static Path otherServerCert;
    private static Path otherServerKey;
    private static Path rogueServerKey;

    @BeforeClass
    public static void pki() throws Exception {
        FreeRadius.missingTools().ifPresent(Assert::fail);
        Path dir = pkiFolder.getRoot().toPath();
        Instant from = Instant.now().minus(Duration.ofMinutes(5));

        KeyPair caKey = KeyPairs.ecP256();
        X509Certificate ca = ca("O=Avocado Demo Owner,CN=Avocado Demo Owner Domain CA", caKey, from);
        domainCa = write(dir.resolve("domain-ca.pem"), Pem.encode(ca));

        KeyPair srvKey = KeyPairs.ecP256();
        serverCert = write(dir.resolve("radius.pem"), Pem.encode(serverCertificate(srvKey.getPublic(), ca,
                caKey.getPrivate(), from)));
        serverKey = writeKey(dir.resolve("radius.key"), srvKey.getPrivate());
        KeyPair otherSrvKey = KeyPairs.ecP256();
        otherServerCert = write(dir.resolve("www.pem"), Pem.encode(serverCertificate("www.avocado.test",
                otherSrvKey.getPublic(), ca, caKey.getPrivate(), from)));
        otherServerKey = writeKey(dir.resolve("www.key"), otherSrvKey.getPrivate());

        KeyPair deviceKey = KeyPairs.ecP256();
        X509Certificate ldevidCert = clientCertificate(deviceKey.getPublic(), ca, caKey.getPrivate(), from);
        ldevid = write(dir.resolve("ldevid.pem"), Pem.encode(List.of(ldevidCert, ca)));
        ldevidKey = writeKey(dir.resolve("ldevid.key"), deviceKey.getPrivate());

        KeyPair otherKey = KeyPairs.ecP256();
        X509Certificate other = ca("O=Somebody Else,CN=Somebody Else CA", otherKey, from);
        strangerCert = write(dir.resolve("stranger.pem"), Pem.encode(List.of(
                clientCertificate(deviceKey.getPublic(), other, otherKey.getPrivate(), from), other)));

        KeyPair rogueKey = KeyPairs.ecP256();
        X509Certificate rogue = ca("O=Rogue,CN=Rogue CA", rogueKey, from);
        rogueCa = write(dir.resolve("rogue-ca.pem"), Pem.encode(rogue));
        KeyPair rogueSrvKey = KeyPairs.ecP256();
        rogueServerCert = write(dir.resolve("rogue-radius.pem"), Pem.encode(serverCertificate(rogueSrvKey.getPublic(),
                rogue, rogueKey.getPrivate(), from)));
        rogueServerKey = writeKey(dir.resolve("rogue-radius.key"), rogueSrvKey.getPrivate());
    }

    @Test
    public void ldevidAndTheDevicesNetworkBlockAuthenticate() throws Exception {
        try (FreeRadius radius = FreeRadius.start(work("radius"), domainCa, serverCert, serverKey)) {
            FreeRadius.Result r = radius.eapolTest(networkBlock(domainCa, ldevid, ldevidKey));
            assertTrue("eapol_test did not succeed:\n" + r.output() + radius.log(), r.success());
            assertTrue("the server did not log the login" + radius.log(),
                    serverLog(radius).contains("Login OK: [" + SERIAL + "]"));
        }
    }

    @Test
    public void clientCertificateFromAnotherCaIsRefusedByTheServer() throws Exception {
        try (FreeRadius radius = FreeRadius.start(work("radius"), domainCa, serverCert, serverKey)) {
            FreeRadius.Result r = radius.eapolTest(networkBlock(domainCa, strangerCert, ldevidKey));
            assertFalse("a client certificate from another CA authenticated:\n" + r.output() + radius.log(), r.success());
            assertFalse("the supplicant refused the server, so the server's check was not reached:\n" + r.output(),
                    r.output().contains("CTRL-EVENT-EAP-TLS-CERT-ERROR"));
            String log = serverLog(radius);
            assertTrue("the server did not log a refusal" + radius.log(), log.contains("Login incorrect"));
            assertFalse("the server logged a login" + radius.log(), log.contains("Login OK"));

            // the control: same server, key, subject and network block, only the issuer differs
            FreeRadius.Result good = radius.eapolTest(networkBlock(domainCa, ldevid, ldevidKey));
            assertTrue("the LDevID did not authenticate:\n" + good.output() + radius.log(), good.success());
        }
    }

    @Test
    public void serverCertificateNotUnderTheTrustedCaIsRefusedByTheSupplicant() throws Exception {
        // the rogue server trusts the domain CA for clients: it would let the device in
        try (FreeRadius radius = FreeRadius.start(work("rogue"), domainCa, rogueServerCert, rogueServerKey)) {
            FreeRadius.Result r = radius.eapolTest(networkBlock(domainCa, ldevid, ldevidKey));
            assertFalse("the supplicant accepted a server certificate not under its ca_cert:\n" + r.output()
                    + radius.log(), r.success());
            assertTrue("the supplicant did not report the server certificate:\n" + r.output(),
                    r.output().contains("CTRL-EVENT-EAP-TLS-CERT-ERROR"));
            assertFalse("the server logged a login" + radius.log(), serverLog(radius).contains("Login OK"));

            // the control: the same block trusting the rogue CA gets in, so only the supplicant's check refused
            FreeRadius.Result control = radius.eapolTest(networkBlock(rogueCa, ldevid, ldevidKey));
            assertTrue("the rogue server would not have accepted the device anyway:\n" + control.output()
                    + radius.log(), control.success());
        }
    }

    /**
     * Attack 9: a server with another certificate of the same domain (serverAuth, under the domain CA)
     * poses as the RADIUS server; the profile names the RADIUS server and the supplicant refuses it.
     */
    @Test
    public void anotherServerOfTheDomainIsNotTakenForTheRadiusServer() throws Exception {
        try (FreeRadius radius = FreeRadius.start(work("other"), domainCa, otherServerCert, otherServerKey)) {
            FreeRadius.Result r = radius.eapolTest(networkBlock(domainCa, ldevid, ldevidKey));
            assertFalse("the supplicant took www.avocado.test for the RADIUS server:\n" + r.output() + radius.log(),
                    r.success());
            assertFalse("the server logged a login" + radius.log(), serverLog(radius).contains("Login OK"));
            // the control: a block naming that server gets in, so only the name check refused
            Path named = write(Files.createTempFile(tmp.getRoot().toPath(), "wpa_supplicant-", ".conf"),
                    networkBlock(SERIAL, "www.avocado.test", domainCa, ldevid, ldevidKey));
            FreeRadius.Result control = radius.eapolTest(named);
            assertTrue("the block naming www.avocado.test did not get in:\n" + control.output() + radius.log(),
                    control.success());
        }
    }

    /** The network block, as the device's E.1 renders it, for a key in a file. */
    static String networkBlock(String serial, Path caCert, Path clientCert, Path privateKey) {
        return networkBlock(serial, RADIUS, caCert, clientCert, privateKey);
    }

    static String networkBlock(String serial, String radiusServer, Path caCert, Path clientCert, Path privateKey) {
        return NetworkProfile.wpaSupplicant(NetworkProfile.Link.wifi("avocado-demo"), serial, radiusServer,
                caCert.toAbsolutePath(), clientCert.toAbsolutePath(), ProfileKey.file(privateKey));
    }

    private Path networkBlock(Path caCert, Path clientCert, Path privateKey) throws IOException {
        Path conf = Files.createTempFile(tmp.getRoot().toPath(), "wpa_supplicant-", ".conf");
        return write(conf, networkBlock(SERIAL, caCert, clientCert, privateKey));
    }

    private Path work(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private static String serverLog(FreeRadius radius) throws IOException {
        return Files.readString(radius.logFile(), StandardCharsets.UTF_8);
    }

    private static X509Certificate ca(String dn, KeyPair key, Instant from) {
        return CertificateBuilder.subject(dn, key.getPublic()).selfSigned(key.getPrivate())
                .validity(from, from.plus(Duration.ofDays(3650))).ca(0)
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).build();
    }

    private static X509Certificate serverCertificate(PublicKey key, X509Certificate ca, PrivateKey caKey, Instant from) {
        return serverCertificate(RADIUS, key, ca, caKey, from);
    }

    private static X509Certificate serverCertificate(String name, PublicKey key, X509Certificate ca, PrivateKey caKey,
            Instant from) {
        return CertificateBuilder.subject("O=Avocado Demo Owner,CN=" + name, key).issuer(ca, caKey)
                .validity(from, from.plus(Duration.ofDays(365))).endEntity().keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth)
                .subjectAltName(new GeneralName(GeneralName.dNSName, name)).build();
    }

    private static X509Certificate clientCertificate(PublicKey key, X509Certificate ca, PrivateKey caKey, Instant from) {
        return CertificateBuilder.subject("serialNumber=" + SERIAL + ",CN=Avocado device " + SERIAL, key)
                .issuer(ca, caKey).validity(from, from.plus(Duration.ofDays(365))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(KeyPurposeId.id_kp_clientAuth).build();
    }

    private static Path write(Path file, String text) throws IOException {
        AtomicFiles.write(file, text.getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        return file;
    }

    private static Path writeKey(Path file, PrivateKey key) throws IOException {
        AtomicFiles.write(file, Pem.encode(key).getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
        return file;
    }
}
