package dev.avocado.protocol.est;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.dpp.DppUri;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EstTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair key = KeyPairs.ecP256();
    private final X509Certificate a = MprProfile.issue(key, "CN=a", "10.0.0.1", Instant.now(), Instant.now().plusSeconds(60));
    private final X509Certificate b = MprProfile.issue(key, "CN=b", "10.0.0.1", Instant.now(), Instant.now().plusSeconds(60));

    @Test
    public void certsOnlyRoundTripsAndOpensslReadsIt() throws Exception {
        byte[] body = Est.certsOnly(List.of(a, b));
        // a SET OF certificates: DER sorts it, so the order is not kept
        assertEquals(java.util.Set.of(a, b), java.util.Set.copyOf(Est.parseCertsOnly(body)));
        // without line breaks too
        assertEquals(java.util.Set.of(a, b), java.util.Set.copyOf(Est.parseCertsOnly(
                new String(body, StandardCharsets.US_ASCII).replace("\r\n", "").getBytes())));
        // DER, not BER with indefinite lengths (what CMSSignedData.getEncoded() writes)
        byte[] der = java.util.Base64.getMimeDecoder().decode(body);
        org.junit.Assert.assertArrayEquals(org.bouncycastle.asn1.ASN1Primitive.fromByteArray(der)
                .getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER), der);

        Path file = tmp.newFile("certs.b64").toPath();
        Files.write(file, body);
        Process p = new ProcessBuilder("sh", "-c", "openssl base64 -d -in " + file + " | openssl pkcs7 -inform DER -print_certs -noout")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, out.contains("subject=CN = a") && out.contains("subject=CN = b"));
    }

    @Test
    public void garbageIsNamed() {
        EstException notBase64 = assertThrows(EstException.class, () -> Est.parseCertsOnly("<html>oops</html>".getBytes()));
        assertTrue(notBase64.getMessage(), notBase64.getMessage().startsWith("certs-only response is not base64"));
        EstException notCms = assertThrows(EstException.class, () -> Est.parseCertsOnly("AAAA".getBytes()));
        assertTrue(notCms.getMessage(), notCms.getMessage().startsWith("certs-only response is not a CMS SignedData"));
        EstException empty = assertThrows(EstException.class, () -> Est.parseCsr(new byte[0]));
        assertTrue(empty.getMessage(), empty.getMessage().equals("PKCS#10 request is empty"));
    }

    @Test
    public void csrRoundTrips() throws Exception {
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("SERIALNUMBER=SN-1"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
        assertEquals(csr, Est.parseCsr(Est.csr(csr)));
    }

    @Test
    public void dppUriCarriesTheKey() {
        DppUri uri = new DppUri("SN-1", key.getPublic());
        String text = uri.toString();
        assertTrue(text, text.startsWith("DPP:V:2;I:SN-1;K:MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE") && text.endsWith(";;"));
        DppUri back = DppUri.parse(text);
        assertEquals("SN-1", back.info());
        assertEquals(key.getPublic(), back.publicKey());
        assertThrows(IllegalArgumentException.class, () -> DppUri.parse("DPP:K:notbase64!;;"));
        assertThrows(IllegalArgumentException.class, () -> DppUri.parse("http://example"));
    }
}
