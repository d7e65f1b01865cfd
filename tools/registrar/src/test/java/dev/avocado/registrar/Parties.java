package dev.avocado.registrar;

import dev.avocado.masa.MasaService;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.server.Pki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A manufacturer with its MASA and an owner with its registrar, on loopback with H2 files, for tests
 * (the registrar's own, and the pledge's unit tests in the brski bundle).
 */
public final class Parties implements AutoCloseable {

    public final Path dir;
    public final Pki pki;
    public final String masaDb;
    public final String registrarDb;
    public MasaService masa;
    public RegistrarService registrar;
    private int masaPort;

    public Parties(Path dir) throws IOException {
        this(dir, "jdbc:h2:file:" + dir.resolve("db/masa"), "jdbc:h2:file:" + dir.resolve("db/registrar"));
    }

    /** With the databases given (one PostgreSQL database for both, say). */
    public Parties(Path dir, String masaDb, String registrarDb) throws IOException {
        this.dir = dir;
        this.pki = new Pki(dir.resolve("pki"));
        pki.init("Acme", "https://127.0.0.1:8443", "127.0.0.1:9443", "Example Owner", "https://127.0.0.1:8445");
        this.masaDb = masaDb;
        this.registrarDb = registrarDb;
    }

    public Parties start(RegistrarService.Approval approval, MasaService.Ownership ownership) throws Exception {
        startMasa(ownership);
        startRegistrar(approval, Duration.ofDays(365));
        return this;
    }

    public void startMasa(MasaService.Ownership ownership) throws Exception {
        startMasa(ownership, Duration.ofDays(1));
    }

    /** @param voucherLifetime how long the MASA's vouchers are valid */
    public void startMasa(MasaService.Ownership ownership, Duration voucherLifetime) throws Exception {
        masa = MasaService.start(pki, masaDb, new MasaService.Settings("127.0.0.1", masaPort, ownership, voucherLifetime));
        masaPort = masa.port();
    }

    public void startRegistrar(RegistrarService.Approval approval, Duration ldevidValidity, ManufacturerTrust... others)
            throws Exception {
        List<ManufacturerTrust> manufacturers = new java.util.ArrayList<>(List.of(trust()));
        manufacturers.addAll(List.of(others));
        registrar = RegistrarService.start(pki, registrarDb, new RegistrarService.Settings("127.0.0.1", 0, approval,
                manufacturers, ldevidValidity, Duration.ofSeconds(1), false));
    }

    /** The manufacturer's MPR, sorted by role, and its IDevID CA (as 'registrar serve' knows it by default). */
    public ManufacturerTrust trust() throws IOException {
        return trust(pki);
    }

    public static ManufacturerTrust trust(Pki pki) throws IOException {
        try {
            return ManufacturerTrust.of(pki.mprCertificates())
                    .withIntermediates(List.of(pki.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA)), Instant.now());
        } catch (dev.avocado.protocol.profile.ProfileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public java.net.URI registrarUri() {
        return java.net.URI.create("https://127.0.0.1:" + registrar.port());
    }

    /** A device of this manufacturer: a software key and an IDevID naming this MASA. */
    public Device device(String serial) throws IOException {
        return device(pki, serial, "127.0.0.1:" + masaPort);
    }

    public static Device device(Pki pki, String serial, String masaUrl) throws IOException {
        Pki.Credential ca = pki.load(Pki.MANUFACTURER, Pki.IDEVID_CA);
        KeyPair key = KeyPairs.ecP256();
        X509Certificate idevid = IdevidProfile.issue(ca.certificate(), ca.key(), null,
                IdevidProfile.subject("Acme", "Thing", serial), key.getPublic(), masaUrl, Instant.now().minusSeconds(60));
        return new Device(serial, key, List.of(idevid, ca.certificate()));
    }

    /** A pledge's identity. */
    public record Device(String serial, KeyPair key, List<X509Certificate> chain) {
        public TlsContexts.Credential credential() {
            return new TlsContexts.Credential(key.getPrivate(), chain);
        }

        /** The IDevID chain and key as PEM files, for openssl and curl. */
        public Path[] files(Path folder) throws IOException {
            Files.createDirectories(folder);
            Path cert = folder.resolve(serial + ".pem");
            Path k = folder.resolve(serial + ".key");
            Files.writeString(cert, Pem.encode(chain.get(0)) + Pem.encode(chain.get(1)), StandardCharsets.US_ASCII);
            Files.writeString(k, Pem.encode(key.getPrivate()), StandardCharsets.US_ASCII);
            return new Path[] {cert, k};
        }
    }

    public void stopMasa() throws Exception {
        if (masa != null) {
            masa.close();
            masa = null;
        }
    }

    @Override
    public void close() throws Exception {
        if (registrar != null) {
            registrar.close();
        }
        stopMasa();
    }
}
