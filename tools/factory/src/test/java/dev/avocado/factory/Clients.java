package dev.avocado.factory;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.tls.TlsContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** HTTPS clients of the factory service for tests, on the same TLS code the device uses. */
final class Clients {

    private Clients() {
    }

    static HttpClient client(X509Certificate root, TlsContexts.Credential own) throws Exception {
        SSLContext ctx = TlsContexts.create(List.of(root), own);
        return HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    static HttpResponse<byte[]> post(HttpClient http, URI uri, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static PKCS10CertificationRequest csr(String subject, KeyPair key) throws Exception {
        String alg = key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic())
                .build(new JcaContentSignerBuilder(alg).build(key.getPrivate()));
    }

    static byte[] enrollBody(String subject, KeyPair key) throws Exception {
        return Est.csr(csr(subject, key));
    }
}
