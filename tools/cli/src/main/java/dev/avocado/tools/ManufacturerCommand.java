package dev.avocado.tools;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.http.Failures;
import dev.avocado.protocol.http.HttpsClient;
import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.Names;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code registrar manufacturer}: what a network owner does once per manufacturer it accepts. Reads the
 * manufacturer's published CA certificates (EST cacerts at the provisioning address its MPR names, over
 * TLS in the manufacturer TLS server role) and writes the file 'registrar serve --manufacturer' takes:
 * the MPR, then each intermediate CA, every one checked to chain to the MPR's root.
 */
@Command(name = "manufacturer", mixinStandardHelpOptions = true,
        description = "Fetches a manufacturer's intermediate CAs from its EST cacerts and writes the file for "
                + "'registrar serve --manufacturer': pledges that send only their IDevID need them.")
final class ManufacturerCommand implements Callable<Integer> {

    @Option(names = "--mpr", required = true, paramLabel = "FILE", description = "The manufacturer's MPR (root, then MASA anchor).")
    Path mpr;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the MPR and the intermediates.")
    Path out;

    @Option(names = "--cacerts", paramLabel = "URL", description = "Where the manufacturer publishes cacerts. Default: "
            + "/.well-known/est/cacerts at the provisioning address the MPR names.")
    URI cacerts;

    @Override
    public Integer call() throws Exception {
        List<X509Certificate> mprCerts = Pem.readCertificates(mpr);
        URI base = MprProfile.check(mprCerts, Instant.now(), MprProfile.DEFAULT_PORT);
        ManufacturerTrust trust = ManufacturerTrust.of(mprCerts);
        URI uri = cacerts != null ? cacerts : base.resolve(Est.CACERTS);
        HttpsClient http = new HttpsClient(TlsContexts.manufacturerServer(trust, uri.getHost(), null), Duration.ofSeconds(5),
                Duration.ofSeconds(30));
        HttpsClient.Response r;
        try {
            r = http.get(uri, Est.CERTS_ONLY);
        } catch (IOException e) {
            throw new IllegalArgumentException("the manufacturer's cacerts at " + uri + " cannot be read: " + Failures.describe(e), e);
        }
        if (r.status() != 200) {
            throw new IllegalArgumentException("the manufacturer's cacerts at " + uri + " answered HTTP " + r.status() + ": "
                    + r.text());
        }
        List<X509Certificate> all = new ArrayList<>(mprCerts);
        for (X509Certificate c : Est.parseCertsOnly(r.body())) {
            if (!all.contains(c)) {
                all.add(c);
            }
        }
        ManufacturerTrust known = ManufacturerTrust.published(all, Instant.now());
        StringBuilder pem = new StringBuilder();
        mprCerts.forEach(c -> pem.append(Pem.encode(c)));
        known.intermediates().forEach(c -> pem.append(Pem.encode(c)));
        AtomicFiles.write(out, pem.toString().getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        AdminForward.out().println("registrar manufacturer: " + out + ": " + known.describe() + ", intermediates "
                + (known.intermediates().isEmpty() ? "none" : String.join("; ", known.intermediates().stream()
                        .map(c -> Names.display(c.getSubjectX500Principal())).toList())) + " (from " + uri + ")");
        return 0;
    }
}
