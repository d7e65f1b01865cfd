package dev.avocado.protocol.profile;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import dev.avocado.protocol.x509.Oids;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/** One role per certificate: each check takes its role and refuses every other certificate of the manufacturer. */
public class ManufacturerTrustTest {

    private static final Instant NOW = Instant.now();
    private static final Instant FROM = NOW.minus(Duration.ofDays(1));
    private static final Instant TO = NOW.plus(Duration.ofDays(365));

    /** A manufacturer as pki init makes it. */
    private record Maker(KeyPair rootKey, X509Certificate root, KeyPair anchorKey, X509Certificate anchor,
            KeyPair caKey, X509Certificate idevidCa) {

        static Maker create(String name) {
            KeyPair rootKey = KeyPairs.ecP256();
            X509Certificate root = MprProfile.issue(rootKey, "O=" + name + ",CN=" + name + " Root CA", "127.0.0.1", FROM, TO);
            KeyPair anchorKey = KeyPairs.ecP256();
            X509Certificate anchor = MprProfile.issueVoucherAnchor(anchorKey, "O=" + name + ",CN=" + name + " MASA CA", FROM, TO);
            KeyPair caKey = KeyPairs.ecP256();
            X509Certificate ca = CertificateBuilder.subject("O=" + name + ",CN=" + name + " IDevID CA", caKey.getPublic())
                    .issuer(root, rootKey.getPrivate()).validity(FROM, TO).ca(0).keyUsage(KeyUsage.keyCertSign).build();
            return new Maker(rootKey, root, anchorKey, anchor, caKey, ca);
        }

        ManufacturerTrust trust() throws ProfileException {
            return ManufacturerTrust.of(List.of(root, anchor));
        }

        X509Certificate masaSigner() {
            return CertificateBuilder.subject("CN=MASA", KeyPairs.ecP256().getPublic()).issuer(anchor, anchorKey.getPrivate())
                    .validity(FROM, TO).endEntity().keyUsage(KeyUsage.digitalSignature)
                    .extendedKeyUsage(KeyPurposeId.getInstance(Oids.ID_KP_VOUCHER_SIGNING)).build();
        }

        X509Certificate idevid(String cn, GeneralName san) {
            CertificateBuilder b = CertificateBuilder.subject(IdevidProfile.subject(null, cn, "SN-1"),
                    KeyPairs.ecP256().getPublic()).issuer(idevidCa, caKey.getPrivate()).validity(FROM, TO).endEntity()
                    .keyUsage(KeyUsage.digitalSignature);
            return (san == null ? b : b.subjectAltName(san)).build();
        }

        X509Certificate server(String host, boolean serverAuth) {
            CertificateBuilder b = CertificateBuilder.subject("CN=" + host, KeyPairs.ecP256().getPublic())
                    .issuer(root, rootKey.getPrivate()).validity(FROM, TO).endEntity().keyUsage(KeyUsage.digitalSignature)
                    .subjectAltName(MprProfile.addressName(host));
            return (serverAuth ? b.extendedKeyUsage(KeyPurposeId.id_kp_serverAuth) : b).build();
        }
    }

    @Test
    public void theMprSortsIntoRootAndVoucherAnchor() throws Exception {
        Maker m = Maker.create("Acme");
        ManufacturerTrust t = m.trust();
        assertEquals(List.of(m.root()), t.roots());
        assertEquals(List.of(m.anchor()), t.voucherAnchors());
        ProfileException onlyAnchor = assertThrows(ProfileException.class, () -> ManufacturerTrust.of(List.of(m.anchor())));
        assertTrue(onlyAnchor.getMessage(), onlyAnchor.getMessage().contains("holds no manufacturer root"));
    }

    @Test
    public void onlyTheMasaSignerRoleSignsVouchers() throws Exception {
        Maker acme = Maker.create("Acme");
        ManufacturerTrust trust = acme.trust();
        trust.checkVoucherSigner(acme.masaSigner(), List.of(), NOW);
        // a genuine IDevID, named like the MASA
        ProfileException idevid = assertThrows(ProfileException.class, () -> trust.checkVoucherSigner(
                acme.idevid("masa.acme.example", null), List.of(acme.idevidCa()), NOW));
        assertTrue(idevid.getMessage(), idevid.getMessage().contains("lacks the MASA voucher-signing role"));
        // another manufacturer's MASA signer
        Maker globex = Maker.create("Globex");
        ProfileException foreign = assertThrows(ProfileException.class, () -> trust.checkVoucherSigner(
                globex.masaSigner(), List.of(), NOW));
        assertTrue(foreign.getMessage(), foreign.getMessage().contains("does not chain to the MASA voucher-signing anchor"));
        // an MPR without a voucher anchor trusts no voucher at all
        ProfileException none = assertThrows(ProfileException.class, () -> ManufacturerTrust.of(List.of(acme.root()))
                .checkVoucherSigner(acme.masaSigner(), List.of(), NOW));
        assertTrue(none.getMessage(), none.getMessage().contains("names no MASA voucher-signing anchor"));
    }

    @Test
    public void onlyTheManufacturersTlsServerRoleServes() throws Exception {
        Maker acme = Maker.create("Acme");
        ManufacturerTrust trust = acme.trust();
        trust.checkServer(List.of(acme.server("127.0.0.1", true)), "127.0.0.1", NOW);
        trust.checkServer(List.of(acme.server("factory.acme.example", true)), "FACTORY.acme.example", NOW);
        String[][] refused = {
            {"wrong host", "does not name 127.0.0.2"},
            {"no serverAuth", "lacks extended key usage serverAuth"},
            {"idevid", "is not issued by a manufacturer root of the MPR itself"},
        };
        List<List<X509Certificate>> chains = List.of(List.of(acme.server("127.0.0.1", true)),
                List.of(acme.server("127.0.0.2", false)),
                List.of(acme.idevid("127.0.0.2", new GeneralName(GeneralName.iPAddress, "127.0.0.2")), acme.idevidCa()));
        for (int i = 0; i < refused.length; i++) {
            List<X509Certificate> chain = chains.get(i);
            ProfileException e = assertThrows(refused[i][0], ProfileException.class,
                    () -> trust.checkServer(chain, "127.0.0.2", NOW));
            assertTrue(refused[i][0] + ": " + e.getMessage(), e.getMessage().contains(refused[i][1]));
        }
    }

    @Test
    public void anIdevidThatNamesAHostOrServesIsNoIdevid() throws Exception {
        Maker acme = Maker.create("Acme");
        X509Certificate named = acme.idevid("x", new GeneralName(GeneralName.dNSName, "factory.acme.example"));
        ProfileException e = assertThrows(ProfileException.class, () -> IdevidProfile.checkRole(named));
        assertTrue(e.getMessage(), e.getMessage().contains("names a host (factory.acme.example)"));
    }

    /**
     * A pledge that sends only its IDevID (libest, most TLS stacks): the registrar builds the path with
     * the intermediates it knows of that manufacturer, and nothing else becomes an intermediate.
     */
    @Test
    public void aLeafOnlyIdevidValidatesThroughTheManufacturersKnownIntermediates() throws Exception {
        Maker acme = Maker.create("Acme");
        X509Certificate idevid = IdevidProfile.issue(acme.idevidCa(), acme.caKey().getPrivate(), null,
                IdevidProfile.fixedSubject("Acme", "SN-1"), KeyPairs.ecP256().getPublic(), "masa.acme.example", FROM);
        ProfileException alone = assertThrows(ProfileException.class, () -> IdevidProfile.check(List.of(idevid), acme.trust(), NOW));
        assertTrue(alone.getMessage(), alone.getMessage().contains("does not chain to the manufacturer root (the client sent no "
                + "intermediate CA, and none is known for this manufacturer)"));
        ManufacturerTrust known = ManufacturerTrust.published(List.of(acme.root(), acme.anchor(), acme.idevidCa()), NOW);
        assertEquals(List.of(acme.idevidCa()), known.intermediates());
        assertEquals(List.of(acme.root()), known.roots());
        assertEquals("SN-1", IdevidProfile.check(List.of(idevid), known, NOW).serialNumber());

        // what is not a manufacturer's intermediate is refused by name
        Maker other = Maker.create("Globex");
        ProfileException foreign = assertThrows(ProfileException.class,
                () -> ManufacturerTrust.published(List.of(acme.root(), acme.anchor(), other.idevidCa()), NOW));
        assertTrue(foreign.getMessage(), foreign.getMessage().startsWith("the intermediate certificate 'CN=Globex IDevID CA,O=Globex'")
                && foreign.getMessage().contains("is not under the manufacturer root"));
        ProfileException leaf = assertThrows(ProfileException.class,
                () -> ManufacturerTrust.published(List.of(acme.root(), acme.anchor(), idevid), NOW));
        assertTrue(leaf.getMessage(), leaf.getMessage().contains("is an end-entity certificate"));
        // another manufacturer's IDevID, sent alone, still finds no path through Acme's intermediates
        X509Certificate globex = IdevidProfile.issue(other.idevidCa(), other.caKey().getPrivate(), null,
                IdevidProfile.fixedSubject("Globex", "SN-1"), KeyPairs.ecP256().getPublic(), "masa.globex.example", FROM);
        assertThrows(ProfileException.class, () -> IdevidProfile.check(List.of(globex), known, NOW));
    }
}
