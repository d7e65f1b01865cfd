package dev.avocado.server;

import dev.avocado.protocol.io.AtomicFiles;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.protocol.x509.Oids;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The PKI folder that {@code pki init} writes: one subfolder per party, a certificate and a PKCS#8 key
 * (owner-only) per credential, and pki.properties with the addresses the certificates name.
 *
 * <pre>
 * manufacturer/root          the manufacturer root: anchor of IDevIDs and of the factory's and MASA's TLS
 * manufacturer/masa-ca       the MASA's voucher-signing anchor: a CA of its own with the voucher-signing role
 * manufacturer/mpr.pem       the MPR: the root, then the MASA anchor (what partition one holds)
 * manufacturer/firmware-signer   signs partition one's manifest (codeSigning)
 * manufacturer/idevid-ca     issues IDevIDs (O.6), under the root
 * manufacturer/factory-tls   the provisioning service's TLS certificate, under the root (what the MPR trusts)
 * manufacturer/masa          signs vouchers (C.6), under masa-ca, with the voucher-signing role
 * manufacturer/masa-tls      the MASA's TLS certificate, under the root
 * owner/domain-ca            the network owner's domain CA: pinned by vouchers, issues LDevIDs
 * owner/registrar-tls        the registrar's TLS certificate (proximity-registrar-cert), under the domain CA
 * owner/registrar            signs registrar voucher requests (id-kp-cmcRA), under the domain CA
 * </pre>
 *
 * <p>With a PKCS#11 token ({@link TokenKeys}), the signing keys of the CAs and signers that the servers
 * use ({@link #IN_TOKEN}: idevid-ca, masa, domain-ca, registrar) are made in the token and never exist as
 * files: {@code NAME.p11} (the key's PKCS#11 URI) stands where {@code NAME.key} would, and the party's
 * {@code pkcs11.conf} names the module, the token and the PIN file.
 */
public final class Pki {

    /** A certificate with its private key and the certificates between it and its root (none here). */
    public record Credential(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {

        public Credential(X509Certificate certificate, PrivateKey key) {
            this(certificate, key, List.of());
        }

        /** The certificate followed by its chain, as sent in TLS or EST. */
        public List<X509Certificate> withChain() {
            return java.util.stream.Stream.concat(java.util.stream.Stream.of(certificate), chain.stream()).toList();
        }
    }

    public static final String MANUFACTURER = "manufacturer";
    public static final String ROOT = "root";
    public static final String FIRMWARE_SIGNER = "firmware-signer";
    public static final String IDEVID_CA = "idevid-ca";
    public static final String FACTORY_TLS = "factory-tls";
    public static final String MASA = "masa";
    public static final String MASA_CA = "masa-ca";
    public static final String MASA_TLS = "masa-tls";
    public static final String OWNER = "owner";
    public static final String DOMAIN_CA = "domain-ca";
    public static final String REGISTRAR_TLS = "registrar-tls";
    public static final String REGISTRAR = "registrar";
    /** The keys that a token holds when there is one: what the running servers sign with. */
    public static final List<String> IN_TOKEN = List.of(IDEVID_CA, MASA, DOMAIN_CA, REGISTRAR);
    /** A party's token, when its keys are in one. */
    public static final String TOKEN_CONF = "pkcs11.conf";
    /** The file that goes onto partition one as the MPR. */
    public static final String MPR_FILE = "mpr.pem";

    static final String PROVISIONING_URL = "provisioning.url";
    static final String MASA_URL = "masa.url";
    static final String MANUFACTURER_NAME = "manufacturer.name";
    static final String REGISTRAR_URL = "registrar.url";
    static final String OWNER_NAME = "owner.name";

    private final Path folder;

    public Pki(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    public Path mpr() {
        return folder.resolve(MANUFACTURER).resolve(MPR_FILE);
    }

    /**
     * Creates the manufacturer's credentials.
     *
     * @param provisioningAddress the IDevID provisioning service: an https:// URI, or an IP address or DNS name
     * @param masaUrl what IDevIDs carry as id-pe-masa-url (often only host:port)
     */
    public void init(String manufacturer, String provisioningAddress, String masaUrl) throws IOException {
        init(manufacturer, provisioningAddress, masaUrl, manufacturer + " Network Owner", "https://127.0.0.1:8445");
    }

    /**
     * Creates the manufacturer's and the network owner's credentials.
     *
     * @param registrarUrl the owner's registrar, for its TLS certificate's name
     */
    public void init(String manufacturer, String provisioningAddress, String masaUrl, String owner, String registrarUrl)
            throws IOException {
        init(manufacturer, provisioningAddress, masaUrl, owner, registrarUrl, null);
    }

    /**
     * The same, with the keys of {@link #IN_TOKEN} made in a PKCS#11 token (null: as files like the others).
     */
    public void init(String manufacturer, String provisioningAddress, String masaUrl, String owner, String registrarUrl,
            TokenKeys.Config tokenConfig) throws IOException {
        TokenKeys token = tokenConfig == null ? null : TokenKeys.open(tokenConfig);
        for (String party : List.of(MANUFACTURER, OWNER)) {
            for (String name : IN_TOKEN) {
                if (token != null && Files.exists(folder.resolve(party).resolve(name + ".pem"))) {
                    throw new IOException(folder + " already holds " + party + "/" + name + ": pki init with a token makes a new PKI");
                }
            }
        }
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "O=" + manufacturer + ",CN=" + manufacturer + " Root CA",
                provisioningAddress, now, now.plus(Duration.ofDays(25 * 365)));
        save(MANUFACTURER, ROOT, new Credential(root, rootKey.getPrivate()));
        KeyPair masaCaKey = KeyPairs.ecP256();
        X509Certificate masaCa = MprProfile.issueVoucherAnchor(masaCaKey, "O=" + manufacturer + ",CN=" + manufacturer
                + " MASA Voucher CA", now, now.plus(Duration.ofDays(25 * 365)));
        save(MANUFACTURER, MASA_CA, new Credential(masaCa, masaCaKey.getPrivate()));
        AtomicFiles.write(mpr(), (Pem.encode(root) + Pem.encode(masaCa)).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC);

        KeyPair fwKey = KeyPairs.ecP256();
        save(MANUFACTURER, FIRMWARE_SIGNER, new Credential(CertificateBuilder.subject("O=" + manufacturer + ",CN="
                + manufacturer + " Firmware Signing", fwKey.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(now, now.plus(Duration.ofDays(10 * 365))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(KeyPurposeId.id_kp_codeSigning).build(),
                fwKey.getPrivate()));

        KeyPair caKey = keyPair(token);
        save(MANUFACTURER, IDEVID_CA, token, new Credential(CertificateBuilder.subject("O=" + manufacturer + ",CN="
                + manufacturer + " IDevID CA", caKey.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(now, now.plus(Duration.ofDays(20 * 365))).ca(0)
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).build(), caKey.getPrivate()));

        save(MANUFACTURER, FACTORY_TLS, tls(manufacturer, host(provisioningAddress), root, rootKey.getPrivate(), now,
                KeyPurposeId.id_kp_serverAuth));

        KeyPair masaKey = keyPair(token);
        save(MANUFACTURER, MASA, token, new Credential(CertificateBuilder.subject("O=" + manufacturer + ",CN=" + manufacturer
                + " MASA", masaKey.getPublic()).issuer(masaCa, masaCaKey.getPrivate())
                .validity(now, now.plus(Duration.ofDays(10 * 365))).endEntity().keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(KeyPurposeId.getInstance(Oids.ID_KP_VOUCHER_SIGNING)).build(),
                masaKey.getPrivate()));
        save(MANUFACTURER, MASA_TLS, tls(manufacturer, host(masaUrl), root, rootKey.getPrivate(), now, KeyPurposeId.id_kp_serverAuth));

        KeyPair domainKey = keyPair(token);
        X509Certificate domain = CertificateBuilder.subject("O=" + owner + ",CN=" + owner + " Domain CA", domainKey.getPublic())
                .selfSigned(domainKey.getPrivate()).validity(now, now.plus(Duration.ofDays(20 * 365))).ca(1)
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).build();
        save(OWNER, DOMAIN_CA, token, new Credential(domain, domainKey.getPrivate()));
        save(OWNER, REGISTRAR_TLS, tls(owner, host(registrarUrl), domain, domainKey.getPrivate(), now,
                KeyPurposeId.id_kp_serverAuth));
        KeyPair raKey = keyPair(token);
        save(OWNER, REGISTRAR, token, new Credential(CertificateBuilder.subject("O=" + owner + ",CN=" + owner + " Registrar",
                raKey.getPublic()).issuer(domain, domainKey.getPrivate()).validity(now, now.plus(Duration.ofDays(5 * 365)))
                .endEntity().keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(KeyPurposeId.id_kp_cmcRA).build(),
                raKey.getPrivate()));

        Properties p = new Properties();
        p.setProperty(MANUFACTURER_NAME, manufacturer);
        p.setProperty(OWNER_NAME, owner);
        p.setProperty(REGISTRAR_URL, registrarUrl);
        p.setProperty(PROVISIONING_URL, provisioningAddress);
        p.setProperty(MASA_URL, masaUrl);
        StringWriter w = new StringWriter();
        p.store(w, "pki init");
        AtomicFiles.write(folder.resolve("pki.properties"), w.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
    }

    /** A TLS server certificate for a host (IP address or DNS name) under an issuer. */
    public static Credential tls(String org, String host, X509Certificate issuer, PrivateKey issuerKey, Instant from,
            KeyPurposeId... purposes) {
        KeyPair key = KeyPairs.ecP256();
        return new Credential(CertificateBuilder.subject("O=" + org + ",CN=" + host, key.getPublic())
                .issuer(issuer, issuerKey).validity(from, from.plus(Duration.ofDays(5 * 365))).endEntity()
                .keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(purposes)
                .subjectAltName(MprProfile.addressName(host)).build(), key.getPrivate());
    }

    /** The host of a URL or of an authority (host:port), without brackets. */
    public static String host(String urlOrAuthority) {
        return URI.create(urlOrAuthority.contains("://") ? urlOrAuthority : "https://" + urlOrAuthority).getHost()
                .replace("[", "").replace("]", "");
    }

    private static KeyPair keyPair(TokenKeys token) throws IOException {
        return token == null ? KeyPairs.ecP256() : token.generate();
    }

    /** A credential whose key is in the token (a key made there), or a file when there is no token. */
    private void save(String party, String name, TokenKeys token, Credential credential) throws IOException {
        if (token == null) {
            save(party, name, credential);
            return;
        }
        token.store(name, credential.key(), credential.certificate());
        Path dir = AtomicFiles.folder(folder.resolve(party), PosixFilePermissions.fromString("rwx------"));
        AtomicFiles.write(dir.resolve(name + ".pem"), Pem.encode(credential.certificate()).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC);
        pointToToken(dir, name, token);
    }

    /** NAME.p11 (the key's PKCS#11 URI) where NAME.key would be, and the party's pkcs11.conf. */
    private static void pointToToken(Path dir, String name, TokenKeys token) throws IOException {
        token.config().write(dir.resolve(TOKEN_CONF));
        AtomicFiles.write(dir.resolve(name + ".p11"), ("pkcs11:token=" + token.config().token() + ";object=" + name
                + ";type=private\n").getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
    }

    /** The party of a key of {@link #IN_TOKEN}: the manufacturer's IDevID CA and MASA signer, the owner's others. */
    public static String partyOf(String name) {
        return name.equals(IDEVID_CA) || name.equals(MASA) || name.equals(MASA_CA) || name.equals(ROOT)
                || name.equals(FIRMWARE_SIGNER) || name.equals(FACTORY_TLS) || name.equals(MASA_TLS) ? MANUFACTURER : OWNER;
    }

    /**
     * Moves a credential's private key from its file into a token (made sensitive and not extractable
     * there), then overwrites and deletes the file. The key existed outside the token before, so the
     * token will not call it "never extractable"; a key made in the token by {@link #init} is.
     */
    public void moveToToken(String party, String name, TokenKeys token) throws IOException {
        Path dir = folder.resolve(party);
        Path keyFile = dir.resolve(name + ".key");
        if (Files.exists(dir.resolve(name + ".p11"))) {
            throw new IOException(party + "/" + name + " is in " + keyLocation(party, name) + " already");
        }
        Credential c = load(party, name);
        token.store(name, Pem.readPrivateKey(keyFile), c.certificate());
        pointToToken(dir, name, token);
        // the token has it (and the PKI points there, committed) before the file goes
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(keyFile, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.allocate((int) f.size()));
            f.force(true);
        }
        Files.delete(keyFile);
    }

    /** Where a credential's private key is: "file" or the token's description. */
    public String keyLocation(String party, String name) throws IOException {
        Path dir = folder.resolve(party);
        return Files.exists(dir.resolve(name + ".p11")) ? TokenKeys.Config.read(dir.resolve(TOKEN_CONF)).describe() : "file";
    }

    public void save(String party, String name, Credential credential) throws IOException {
        Path dir = AtomicFiles.folder(folder.resolve(party), PosixFilePermissions.fromString("rwx------"));
        AtomicFiles.write(dir.resolve(name + ".pem"), Pem.encode(credential.certificate()).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC);
        AtomicFiles.write(dir.resolve(name + ".key"), Pem.encode(credential.key()).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.OWNER_ONLY);
    }

    /** A credential of a party. */
    public Credential load(String party, String name) throws IOException {
        Path cert = folder.resolve(party).resolve(name + ".pem");
        Path key = folder.resolve(party).resolve(name + ".key");
        if (Files.exists(folder.resolve(party).resolve(name + ".p11"))) {
            TokenKeys token = TokenKeys.open(TokenKeys.Config.read(folder.resolve(party).resolve(TOKEN_CONF)));
            return new Credential(certificate(party, name), token.key(name));
        }
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            throw new IOException(folder + " is not a PKI made by 'pki init': " + folder.relativize(
                    Files.isRegularFile(cert) ? key : cert) + " is missing");
        }
        // every credential here is issued by its party's root directly: no chain between
        return new Credential(Pem.readCertificates(cert).get(0), ServerCrypto.key(Pem.readPrivateKey(key)));
    }

    /** The certificate of a credential, without reading its private key (a MASA has no business with the CA's). */
    public X509Certificate certificate(String party, String name) throws IOException {
        Path cert = folder.resolve(party).resolve(name + ".pem");
        if (!Files.isRegularFile(cert)) {
            throw new IOException(folder + " is not a PKI made by 'pki init': " + folder.relativize(cert) + " is missing");
        }
        return Pem.readCertificates(cert).get(0);
    }

    public X509Certificate domainCa() throws IOException {
        return certificate(OWNER, DOMAIN_CA);
    }

    public String owner() throws IOException {
        return properties().getProperty(OWNER_NAME, "Avocado Network Owner");
    }

    public String registrarUrl() throws IOException {
        return properties().getProperty(REGISTRAR_URL);
    }

    public X509Certificate root() throws IOException {
        return certificate(MANUFACTURER, ROOT);
    }

    /** The MPR's certificates: the root, then the MASA's voucher-signing anchor. */
    public List<X509Certificate> mprCertificates() throws IOException {
        return Pem.readCertificates(mpr());
    }

    public boolean exists() {
        return Files.isRegularFile(folder.resolve(MANUFACTURER).resolve(ROOT + ".pem"));
    }

    public String manufacturer() throws IOException {
        return properties().getProperty(MANUFACTURER_NAME, "Avocado");
    }

    public String provisioningUrl() throws IOException {
        return properties().getProperty(PROVISIONING_URL);
    }

    public String masaUrl() throws IOException {
        return properties().getProperty(MASA_URL);
    }

    private Properties properties() throws IOException {
        Properties p = new Properties();
        Path file = folder.resolve("pki.properties");
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        return p;
    }
}
