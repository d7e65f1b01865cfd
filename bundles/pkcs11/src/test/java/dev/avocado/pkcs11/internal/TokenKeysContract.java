package dev.avocado.pkcs11.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.KeyAlgorithm;
import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.api.keys.SignatureScheme;
import dev.avocado.api.keys.TokenKey;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.Signature;
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
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * What every token behind the PKCS#11 key service must do, as the TPM and software key services do:
 * keys made in the token sign CSRs that openssl accepts and TLS 1.3 and 1.2 client authentication that
 * the JDK's server accepts; an alias is made once and destroyed for good; keys are found again after a
 * restart; the private key never leaves the token (pkcs11-tool, an independent reader, says so); bad
 * input is a clear error naming the key or the token.
 */
public abstract class TokenKeysContract {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The token under test, opened by the subclass. */
    protected abstract Pkcs11Keys keys();

    /** The same token opened afresh, as after a reboot (closed by the caller). */
    protected abstract Pkcs11Keys reopen();

    /** Stops the token under test for good and opens it afresh in its place (a restart of the key service). */
    protected abstract void restartKeys();

    /** The module file. */
    protected abstract Path module();

    /** The environment pkcs11-tool needs to reach the same token. */
    protected abstract Map<String, String> environment();

    private static final KeyPair CA_KEY = KeyPairs.ecP256();
    private static final X509Certificate CA = CertificateBuilder.subject("O=Test,CN=Test CA", CA_KEY.getPublic())
            .selfSigned(CA_KEY.getPrivate()).validity(Instant.now().minus(Duration.ofMinutes(5)),
                    Instant.now().plus(Duration.ofDays(1))).ca(-1).keyUsage(KeyUsage.keyCertSign).build();

    @Test
    public void csrSignedInTheTokenPassesOpensslReqVerify() throws Exception {
        DeviceKey key = fresh("csr", KeyAlgorithm.EC_P256);
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                IdevidProfile.subject("Test", "sensor", "SN-77"), key.publicKey())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(keys().provider()).build(key.privateKey()));
        Path file = tmp.newFile("csr.pem").toPath();
        Files.writeString(file, Pem.encode("CERTIFICATE REQUEST", csr.getEncoded()));
        Run run = run(Map.of(), "openssl", "req", "-in", file.toString(), "-verify", "-noout");
        assertEquals(run.output(), 0, run.code());
        assertTrue(run.output(), run.output().contains("verify OK"));
    }

    @Test
    public void tls13And12ClientAuthenticationAgainstTheJdkServerWithEcAndRsaKeys() throws Exception {
        for (KeyAlgorithm algorithm : tlsAlgorithms()) {
            DeviceKey key = fresh("tls-" + algorithm, algorithm);
            String cn = "token-client-" + algorithm;
            X509Certificate client = CertificateBuilder.subject("O=Test,CN=" + cn, key.publicKey())
                    .issuer(CA, CA_KEY.getPrivate()).validity(Instant.now().minus(Duration.ofMinutes(5)),
                            Instant.now().plus(Duration.ofDays(1))).endEntity().keyUsage(KeyUsage.digitalSignature).build();
            SSLContext ctx = TlsContexts.create(List.of(CA), new TlsContexts.Credential(key.privateKey(), List.of(client),
                    keys().provider()));
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                assertEquals(protocol + " with " + algorithm, "CN=" + cn + ",O=Test", jdkServerHandshake(ctx, protocol).getName());
            }
        }
    }

    @Test
    public void digestsSignedInTheTokenVerifyWithPlainJca() throws Exception {
        DeviceKey key = fresh("digest", KeyAlgorithm.EC_P256);
        byte[] message = "E.1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = keys().sign("digest", SignatureScheme.ECDSA_SHA256, MessageDigest.getInstance("SHA-256").digest(message));
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(key.publicKey());
        v.update(message);
        assertTrue(v.verify(signature));
        assertNull("the handle carries no key material", key.privateKey().getEncoded());
        assertEquals(32, keys().random(32).length);
    }

    @Test
    public void aliasIsMadeOnceFoundAfterARestartAndDestroyedForGood() throws Exception {
        DeviceKey first = fresh("ldevid", KeyAlgorithm.EC_P256);
        KeyServiceException twice = assertThrows(KeyServiceException.class, () -> keys().create("ldevid", KeyAlgorithm.EC_P256));
        assertTrue(twice.getMessage(), twice.getMessage().startsWith("key ldevid exists already in PKCS#11 token"));
        try (Pkcs11Keys again = reopen()) {
            assertEquals(first.publicKey(), again.find("ldevid").orElseThrow().publicKey());
        }
        assertTrue(keys().list().stream().anyMatch(k -> k.alias().equals("ldevid")));
        keys().destroy("ldevid");
        assertFalse(keys().find("ldevid").isPresent());
        try (Pkcs11Keys again = reopen()) {
            assertFalse(again.find("ldevid").isPresent());
        }
    }

    @Test
    public void thePrivateKeyNeverLeavesTheTokenAndItsUriNamesIt() throws Exception {
        TokenKey key = (TokenKey) fresh("sealed", KeyAlgorithm.EC_P256);
        assertTrue(key.uri(), key.uri().startsWith("pkcs11:token=") && key.uri().endsWith(";object=sealed;type=private"));
        assertEquals(key.uri(), key.location());
        assertEquals(module(), key.module());
        // pkcs11-tool 0.23 selects by CKA_ID (the key service sets it to the alias's bytes), not by label
        String id = java.util.HexFormat.of().formatHex("sealed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Run objects = run(environment(), "pkcs11-tool", "--module", module().toString(), "--token-label", tokenLabel(),
                "--login", "--pin", key.pin(), "--list-objects", "--type", "privkey", "--id", id);
        assertEquals(objects.output(), 0, objects.code());
        assertTrue(objects.output(), objects.output().contains("label:      sealed"));
        assertTrue(objects.output(), objects.output().contains("sensitive, always sensitive, never extractable"));
        // the independent reader signs with the same key by its label, and our public key verifies it
        // (CKM_ECDSA over a SHA-256 digest: SoftHSM2 2.6 has no CKM_ECDSA_SHA256)
        Path data = tmp.newFile("digest").toPath();
        Files.write(data, MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
        Path sig = tmp.getRoot().toPath().resolve("sig");
        Run signed = run(environment(), "pkcs11-tool", "--module", module().toString(), "--token-label", tokenLabel(),
                "--login", "--pin", key.pin(), "--sign", "--mechanism", "ECDSA", "--signature-format", "openssl",
                "--id", id, "--input-file", data.toString(), "--output-file", sig.toString());
        assertEquals(signed.output(), 0, signed.code());
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(key.publicKey());
        v.update(new byte[] {1, 2, 3});
        assertTrue("pkcs11-tool's signature verifies with the key service's public key", v.verify(Files.readAllBytes(sig)));
    }

    @Test
    public void badRequestsAreClearErrorsThatNameTheKeyOrToken() throws Exception {
        KeyServiceException none = assertThrows(KeyServiceException.class,
                () -> keys().sign("nosuch", SignatureScheme.ECDSA_SHA256, new byte[32]));
        assertTrue(none.getMessage(), none.getMessage().contains("no key nosuch in PKCS#11 token " + tokenLabel()));
        fresh("short", KeyAlgorithm.EC_P256);
        KeyServiceException shortDigest = assertThrows(KeyServiceException.class,
                () -> keys().sign("short", SignatureScheme.ECDSA_SHA256, new byte[5]));
        assertEquals("a ECDSA_SHA256 digest has 32 bytes, not 5", shortDigest.getMessage());

        // a login belongs to the process, not the session: close ours first so the wrong PIN is really tried
        Pkcs11Keys stopped = keys();
        stopped.close();
        KeyServiceException closed = assertThrows(KeyServiceException.class, () -> stopped.find("short"));
        assertTrue(closed.getMessage(), closed.getMessage().endsWith("cannot find key short: the key service is stopped"));
        Path wrongPin = tmp.newFile("wrong.pin").toPath();
        Files.writeString(wrongPin, "not-the-pin");
        try (Pkcs11Keys wrong = new Pkcs11Keys(module(), tokenLabel(), wrongPin, false)) {
            KeyServiceException e = assertThrows(KeyServiceException.class, () -> wrong.find("short"));
            assertTrue(e.getMessage(), e.getMessage().startsWith("PKCS#11 token " + tokenLabel() + " of " + module()
                    + " refused the user PIN of " + wrongPin + ": CKR_PIN_INCORRECT"));
            // and not again: each refused login counts towards the TPM's dictionary-attack lockout
            KeyServiceException again = assertThrows(KeyServiceException.class, () -> wrong.find("short"));
            assertTrue(again.getMessage(), again.getMessage().contains("refused the user PIN of " + wrongPin
                    + " before; it is not tried again until the file changes"));
        }
        try (Pkcs11Keys missing = new Pkcs11Keys(module(), "no-such-token", wrongPin, false)) {
            KeyServiceException e = assertThrows(KeyServiceException.class, missing::check);
            assertTrue(e.getMessage(), e.getMessage().contains("no token labelled no-such-token in " + module()
                    + " (initialize is off)"));
        }
        try (Pkcs11Keys noModule = new Pkcs11Keys(Path.of("/nonexistent/libnone.so"), tokenLabel(), wrongPin, false)) {
            KeyServiceException e = assertThrows(KeyServiceException.class, noModule::check);
            assertEquals("the PKCS#11 module /nonexistent/libnone.so does not exist", e.getMessage());
        }
        restartKeys();
        assertTrue("the key service started again finds the key", keys().find("short").isPresent());
    }

    /** The key types that sign TLS 1.3 and 1.2 handshakes in this token. */
    protected List<KeyAlgorithm> tlsAlgorithms() {
        return List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048);
    }

    protected String tokenLabel() {
        return "avocado";
    }

    // --- helpers

    private DeviceKey fresh(String alias, KeyAlgorithm algorithm) throws KeyServiceException {
        keys().destroy(alias);
        return keys().create(alias, algorithm);
    }

    private static Principal jdkServerHandshake(SSLContext client, String protocol) throws Exception {
        return dev.avocado.protocol.tls.JdkTlsServer.handshake(client, protocol, CA, CA_KEY);
    }

    record Run(int code, String output) {
    }

    static Run run(Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile("run", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Run(-1, Files.readString(out) + "\n(" + cmd[0] + " did not end within 60 s; killed)");
            }
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
