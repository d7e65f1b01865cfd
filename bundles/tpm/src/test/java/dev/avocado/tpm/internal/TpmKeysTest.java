package dev.avocado.tpm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.testing.Swtpm;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * TPM keys through JCA, unchanged for their users: a CSR signed by BouncyCastle's content signer and
 * checked by openssl, and TLS 1.3 and 1.2 client authentication by BCJSSE against openssl s_server and
 * against the JDK's own TLS server.
 */
public class TpmKeysTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Swtpm swtpm;
    private static TpmKeys keys;
    private static KeyPair caKey;
    private static X509Certificate ca;

    @BeforeClass
    public static void start() throws Exception {
        swtpm = Swtpm.start();
        keys = new TpmKeys(swtpm.tcti(), 0x81000001, Map.of("idevid", 0x81020000, "ldevid", 0x81020001, "rsa", 0x81020002));
        caKey = KeyPairs.ecP256();
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        ca = CertificateBuilder.subject("O=Test,CN=Test CA", caKey.getPublic()).selfSigned(caKey.getPrivate())
                .validity(now, now.plus(Duration.ofDays(30))).ca(-1).keyUsage(KeyUsage.keyCertSign).build();
    }

    @AfterClass
    public static void stop() throws Exception {
        keys.close();
        swtpm.close();
    }

    @Test
    public void csrSignedInTheTpmPassesOpensslReqVerify() throws Exception {
        DeviceKey key = keys.find("idevid").orElseGet(() -> create("idevid", KeyAlgorithm.EC_P256));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                IdevidProfile.subject("Test", "sensor", "SN-77"), key.publicKey())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(keys.provider()).build(key.privateKey()));
        Path file = tmp.newFile("csr.pem").toPath();
        Files.writeString(file, Pem.encode("CERTIFICATE REQUEST", csr.getEncoded()));
        Run run = run("openssl", "req", "-in", file.toString(), "-verify", "-noout");
        assertEquals(run.output, 0, run.code);
        assertTrue(run.output, run.output.contains("verify OK"));
    }

    @Test
    public void tls13And12ClientAuthenticationWithTheTpmKeyAgainstOpenssl() throws Exception {
        DeviceKey key = keys.find("idevid").orElseGet(() -> create("idevid", KeyAlgorithm.EC_P256));
        X509Certificate client = clientCertificate(key, "tpm-client-ec");
        Server server = Server.openssl(tmp.getRoot().toPath(), ca, caKey);
        try {
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                String page = get(clientContext(key, client), protocol, server.port);
                assertTrue(protocol + ": " + page, page.contains("CN=tpm-client-ec") || page.contains("CN = tpm-client-ec"));
                assertTrue(protocol + ": " + page, page.contains("Protocol  : " + protocol));
            }
        } finally {
            server.stop();
        }
    }

    @Test
    public void tls13And12ClientAuthenticationAgainstTheJdkServerWithEcAndRsaKeys() throws Exception {
        DeviceKey ec = keys.find("idevid").orElseGet(() -> create("idevid", KeyAlgorithm.EC_P256));
        DeviceKey rsa = keys.find("rsa").orElseGet(() -> create("rsa", KeyAlgorithm.RSA_2048));
        for (DeviceKey key : List.of(ec, rsa)) {
            String cn = "tpm-client-" + key.algorithm();
            X509Certificate client = clientCertificate(key, cn);
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                long before = keys.withTpm(Tpm::commandCount);
                Principal seen = jdkServerHandshake(clientContext(key, client), protocol);
                assertEquals(protocol + " with " + key.algorithm(), "CN=" + cn + ",O=Test", seen.getName());
                assertTrue("the CertificateVerify was signed in the TPM", keys.withTpm(Tpm::commandCount) > before);
            }
        }
    }

    @Test
    public void keysAreNamedInErrors() throws Exception {
        KeyServiceException none = assertThrows(KeyServiceException.class, () -> keys.find("nosuch"));
        assertTrue(none.getMessage(), none.getMessage().startsWith("no persistent handle is configured for key 'nosuch'"));
        keys.find("ldevid").ifPresent(k -> destroy("ldevid"));
        create("ldevid", KeyAlgorithm.EC_P256);
        KeyServiceException exists = assertThrows(KeyServiceException.class, () -> keys.create("ldevid", KeyAlgorithm.EC_P256));
        assertTrue(exists.getMessage(), exists.getMessage().startsWith("key ldevid exists already at persistent handle 0x81020001"));
        keys.destroy("ldevid");
        assertFalse(keys.find("ldevid").isPresent());
        PrivateKey handle = keys.find("idevid").orElseGet(() -> create("idevid", KeyAlgorithm.EC_P256)).privateKey();
        assertEquals(null, handle.getEncoded());
    }

    @Test
    public void keyIsFoundAgainAfterAReconnect() throws Exception {
        keys.find("ldevid").ifPresent(k -> destroy("ldevid"));
        DeviceKey first = keys.create("ldevid", KeyAlgorithm.EC_P256);
        keys.close(); // swtpm serves one connection: the device reboots
        try (TpmKeys again = new TpmKeys(swtpm.tcti(), 0x81000001, Map.of("ldevid", 0x81020001))) {
            assertEquals(first.publicKey(), again.find("ldevid").orElseThrow().publicKey());
            again.destroy("ldevid");
        }
    }

    @Test
    public void keyServiceReconnectsAfterTheTpmRestarts() throws Exception {
        DeviceKey key = keys.find("idevid").orElseGet(() -> create("idevid", KeyAlgorithm.EC_P256));
        swtpm.kill();
        KeyServiceException lost = assertThrows(KeyServiceException.class,
                () -> keys.sign("idevid", dev.avocado.api.keys.SignatureScheme.ECDSA_SHA256, new byte[32]));
        assertTrue(lost.getMessage(), lost.getMessage().startsWith("connection to the TPM at " + swtpm.tcti() + " lost"));
        KeyServiceException down = assertThrows(KeyServiceException.class, () -> keys.check());
        assertTrue(down.getMessage(), down.getMessage().startsWith("TPM at " + swtpm.tcti() + " is not reachable"));
        swtpm.restart();
        keys.check();
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(new byte[] {7});
        byte[] sig = keys.sign("idevid", dev.avocado.api.keys.SignatureScheme.ECDSA_SHA256, digest);
        java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
        v.initVerify(key.publicKey());
        v.update(new byte[] {7});
        assertTrue("the same key signs after the restart", v.verify(sig));
        assertEquals(List.of(), keys.withTpm(Tpm::transientHandles));
    }

    // --- helpers

    private static DeviceKey create(String alias, KeyAlgorithm algorithm) {
        try {
            return keys.create(alias, algorithm);
        } catch (KeyServiceException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void destroy(String alias) {
        try {
            keys.destroy(alias);
        } catch (KeyServiceException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate clientCertificate(DeviceKey key, String cn) {
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        return CertificateBuilder.subject("O=Test,CN=" + cn, key.publicKey()).issuer(ca, caKey.getPrivate())
                .validity(now, now.plus(Duration.ofDays(1))).endEntity().keyUsage(KeyUsage.digitalSignature).build();
    }

    /** The device's TLS context: BouncyCastle for the TLS crypto, the TPM provider for the TPM key. */
    private static SSLContext clientContext(DeviceKey key, X509Certificate cert) throws Exception {
        return TlsContexts.create(List.of(ca), new TlsContexts.Credential(key.privateKey(), List.of(cert), keys.provider()));
    }

    private static String get(SSLContext ctx, String protocol, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The JDK's own TLS server (SunJSSE) requiring a client certificate from the test CA. */
    private static Principal jdkServerHandshake(SSLContext client, String protocol) throws Exception {
        return dev.avocado.protocol.tls.JdkTlsServer.handshake(client, protocol, ca, caKey);
    }

    /** openssl s_server requiring a client certificate (-Verify 1, -verify_return_error). */
    static final class Server {
        final Process process;
        final int port;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Server openssl(Path dir, X509Certificate ca, KeyPair caKey) throws Exception {
            KeyPair key = KeyPairs.ecP256();
            Instant now = Instant.now().minus(Duration.ofMinutes(5));
            X509Certificate cert = CertificateBuilder.subject("CN=localhost", key.getPublic()).issuer(ca, caKey.getPrivate())
                    .validity(now, now.plus(Duration.ofDays(1))).endEntity().keyUsage(KeyUsage.digitalSignature).build();
            Files.writeString(dir.resolve("server.pem"), Pem.encode(cert));
            Files.writeString(dir.resolve("server.key"), Pem.encode(key.getPrivate()));
            Files.writeString(dir.resolve("ca.pem"), Pem.encode(ca));
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                    dir.resolve("server.pem").toString(), "-key", dir.resolve("server.key").toString(), "-CAfile",
                    dir.resolve("ca.pem").toString(), "-Verify", "1", "-verify_return_error", "-www")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return new Server(p, port);
                } catch (java.io.IOException notYet) {
                    Thread.sleep(50);
                }
            }
            p.destroy();
            throw new IllegalStateException("openssl s_server did not start: " + Files.readString(dir.resolve("s_server.log")));
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    record Run(int code, String output) {
    }

    private static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream(); BufferedReader r = new BufferedReader(new InputStreamReader(in))) {
            out = String.join("\n", r.lines().toList());
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return new Run(p.exitValue(), out);
    }
}
