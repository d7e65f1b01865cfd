package dev.avocado.tools;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.ServerCrypto;
import dev.avocado.server.ServerTls;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: one full TLS 1.3 handshake in memory, both ends in one thread, the server on each stack behind
 * the servers' seam ({@link ServerTls}) and the client always the device's (BCJSSE, BouncyCastle keys,
 * the server's certificate pinned), with and without a client certificate (the pledge's IDevID). The
 * client's work is the same in every row: the differences are the servers'.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServerTlsBenchmark {

    @Param({"conscrypt", "bcjsse", "sunjsse"})
    public String stack;

    @Param({"false", "true"})
    public boolean clientAuth;

    private SSLContext server;
    private SSLContext client;

    @Setup
    public void setUp() throws Exception {
        ServerCrypto.install();
        Instant now = Instant.now();
        KeyPair serverKey = KeyPairs.ecP256();
        X509Certificate serverCert = MprProfile.issue(serverKey, "O=Bench,CN=127.0.0.1", "127.0.0.1",
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        server = ServerTls.named(stack).anyClient(new TlsContexts.Credential(ServerCrypto.key(serverKey.getPrivate()),
                List.of(serverCert)));
        TlsContexts.Credential idevid = null;
        if (clientAuth) {
            KeyPair k = KeyPairs.ecP256();
            X509Certificate c = CertificateBuilder.subject("SERIALNUMBER=BENCH-1,CN=pledge", k.getPublic())
                    .selfSigned(k.getPrivate()).validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)))
                    .endEntity().keyUsage(KeyUsage.digitalSignature).build();
            idevid = new TlsContexts.Credential(k.getPrivate(), List.of(c));
        }
        client = TlsContexts.pinned(serverCert, idevid);
    }

    @Benchmark
    public long handshake() throws Exception {
        return Handshakes.handshake(client, server, clientAuth);
    }
}
