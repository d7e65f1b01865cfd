package dev.avocado.protocol.brski;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.voucher.Rfc8995Vectors;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;

/**
 * The rules of C.3, C.5, C.8/C.10 and D.0: the RFC 8995 example set passes them, and each broken rule
 * is refused with a message that names it.
 */
public class BrskiRulesTest {

    @Test
    public void theRfcPledgeRequestPassesTheRegistrarCheck() throws Exception {
        VoucherCms.Signed vr = VoucherCms.verify(Rfc8995Vectors.cms("vr_00-D0-E5-F2-00-02.b64"),
                Rfc8995Vectors.manufacturer(), Rfc8995Vectors.AT, List.of());
        // the pledge's TLS client certificate is the signer of its request
        assertEquals(Rfc8995Vectors.SERIAL, PledgeRequests.check(vr, vr.signer(), Rfc8995Vectors.registrar()));
        VoucherException other = assertThrows(VoucherException.class,
                () -> PledgeRequests.check(vr, vr.signer(), Rfc8995Vectors.masa()));
        assertTrue(other.getMessage(), other.getMessage().contains("not this registrar's TLS certificate"));
    }

    @Test
    public void theRfcRegistrarRequestPassesTheMasaCheck() throws Exception {
        VoucherCms.Signed rvr = VoucherCms.verify(Rfc8995Vectors.cms("parboiled_vr_00-D0-E5-F2-00-02.b64"), null,
                Rfc8995Vectors.AT, List.of());
        RegistrarRequests.Checked checked = RegistrarRequests.check(rvr, Rfc8995Vectors.manufacturer(), List.of(), Rfc8995Vectors.AT);
        assertEquals(Rfc8995Vectors.SERIAL, checked.serial());
        assertEquals(Rfc8995Vectors.registrar(), checked.registrar());
        // the CMS carries the owner CA above the registrar: our MASA pins the domain CA (the RFC's MASA pinned the
        // registrar certificate; the pledge accepts either, see theRfcVoucherPassesThePledgeCheck)
        assertEquals(Rfc8995Vectors.ownerCa(), checked.domain());
        // and another manufacturer's MASA refuses it
        VoucherException foreign = assertThrows(VoucherException.class, () -> RegistrarRequests.check(rvr,
                List.of(Rfc8995Vectors.ownerCa()), List.of(), Rfc8995Vectors.AT));
        assertTrue(foreign.getMessage(), foreign.getMessage().contains("not signed by an IDevID of this manufacturer"));
    }

    @Test
    public void theRfcVoucherPassesThePledgeCheck() throws Exception {
        VoucherCms.Signed voucher = VoucherCms.verify(Rfc8995Vectors.cms("voucher_00-D0-E5-F2-00-02.b64"),
                Rfc8995Vectors.manufacturer(), Rfc8995Vectors.AT, List.of(Rfc8995Vectors.masa()));
        X509Certificate pinned = Vouchers.check(voucher, Rfc8995Vectors.SERIAL, Rfc8995Vectors.NONCE, Rfc8995Vectors.AT);
        assertEquals(Rfc8995Vectors.registrar(), pinned);
        // D.0: the registrar's TLS certificate of the example is the pinned one
        DomainCerts.checkInDomain(List.of(Rfc8995Vectors.registrar()), pinned, Rfc8995Vectors.AT);
        assertThrows(VoucherException.class, () -> Vouchers.check(voucher, Rfc8995Vectors.SERIAL, "another", Rfc8995Vectors.AT));
        assertThrows(VoucherException.class, () -> Vouchers.check(voucher, "00-D0-E5-F2-00-03", Rfc8995Vectors.NONCE,
                Rfc8995Vectors.AT));
        // the role rule is ours, stricter than RFC 8995 (docs/interop.md): the example's MASA certificate is
        // issued by the vendor root, as its IDevIDs are, and has no voucher-signing role, so a device whose
        // MPR is that root alone takes no voucher of it
        VoucherException role = assertThrows(VoucherException.class, () -> Vouchers.verify(
                Rfc8995Vectors.cms("voucher_00-D0-E5-F2-00-02.b64"),
                dev.avocado.protocol.profile.ManufacturerTrust.of(Rfc8995Vectors.manufacturer()), Rfc8995Vectors.AT));
        assertTrue(role.getMessage(), role.getMessage().contains("names no MASA voucher-signing anchor"));
    }

    /** Our own parties, end to end through the rules. */
    @Test
    public void ourPledgeRegistrarAndMasaAgree() throws Exception {
        Parties p = new Parties();
        byte[] pvr = p.pledgeRequest("SN-1", "nonce-nonce-nonce-nonce", p.registrarTls);
        VoucherCms.Signed pledgeSigned = VoucherCms.verify(pvr, null, Instant.now(), List.of());
        assertEquals("SN-1", PledgeRequests.check(pledgeSigned, p.idevid, p.registrarTls));

        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), pledgeSigned.voucher(), pvr, p.idevid);
        assertNull(rvr.proximityRegistrarCert());
        byte[] rvrCms = VoucherCms.sign(rvr, p.registrarKey.getPrivate(), null, List.of(p.registrar, p.domainCa));
        RegistrarRequests.Checked checked = RegistrarRequests.check(VoucherCms.verify(rvrCms, null, Instant.now(), List.of()),
                List.of(p.root), List.of(), Instant.now());
        assertEquals(p.domainCa, checked.domain());
        assertArrayEquals(RegistrarRequests.idevidIssuer(p.idevid), checked.idevidIssuer());

        Voucher voucher = Vouchers.create(checked, "logged", Instant.now(), Instant.now().plus(Duration.ofDays(1)));
        byte[] voucherCms = VoucherCms.sign(voucher, p.masaKey.getPrivate(), null, List.of(p.masa));
        VoucherCms.Signed signed = VoucherCms.verify(voucherCms, List.of(p.root), Instant.now(), List.of());
        X509Certificate pinned = Vouchers.check(signed, "SN-1", "nonce-nonce-nonce-nonce", Instant.now());
        assertEquals(p.domainCa, pinned);
        DomainCerts.checkInDomain(List.of(p.registrarTls, p.domainCa), pinned, Instant.now());
        assertEquals(20, DomainCerts.domainId(pinned).length);
    }

    @Test
    public void eachBrokenRuleIsNamed() throws Exception {
        Parties p = new Parties();
        byte[] pvr = p.pledgeRequest("SN-1", "nonce-nonce-nonce-nonce", p.registrarTls);
        VoucherCms.Signed pledgeSigned = VoucherCms.verify(pvr, null, Instant.now(), List.of());

        // C.3: the request's serial differs from the TLS client IDevID
        byte[] wrongSerial = p.pledgeRequest("SN-2", "nonce-nonce-nonce-nonce", p.registrarTls);
        assertMessage("but the TLS client IDevID is serial SN-1", () -> PledgeRequests.check(
                VoucherCms.verify(wrongSerial, null, Instant.now(), List.of()), p.idevid, p.registrarTls));
        // C.3: signed by another key than the TLS client's
        assertMessage("not by the IDevID of the TLS connection", () -> PledgeRequests.check(pledgeSigned, p.registrarTls,
                p.registrarTls));

        // C.5: registrar signing certificate without cmcRA
        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), pledgeSigned.voucher(), pvr, p.idevid);
        byte[] noRa = VoucherCms.sign(rvr, p.registrarTlsKey.getPrivate(), null, List.of(p.registrarTls, p.domainCa));
        assertMessage("lacks extended key usage id-kp-cmcRA", () -> RegistrarRequests.check(
                VoucherCms.verify(noRa, null, Instant.now(), List.of()), List.of(p.root), List.of(), Instant.now()));
        // C.5: the nonce changed on the way
        Voucher otherNonce = Voucher.request(OffsetDateTime.now(), "proximity", "SN-1", null, "YW5vdGhlci1ub25jZQ", null, pvr);
        assertMessage("is not the pledge's nonce", () -> RegistrarRequests.check(VoucherCms.verify(VoucherCms.sign(otherNonce,
                p.registrarKey.getPrivate(), null, List.of(p.registrar, p.domainCa)), null, Instant.now(), List.of()),
                List.of(p.root), List.of(), Instant.now()));
        // C.5: an IDevID of another manufacturer
        Parties q = new Parties();
        assertMessage("not signed by an IDevID of this manufacturer", () -> RegistrarRequests.check(VoucherCms.verify(
                VoucherCms.sign(rvr, p.registrarKey.getPrivate(), null, List.of(p.registrar, p.domainCa)), null, Instant.now(),
                List.of()), List.of(q.root), List.of(), Instant.now()));
        // C.5: the pledge saw a registrar outside the registrar's domain
        byte[] elsewhere = p.pledgeRequest("SN-1", "nonce-nonce-nonce-nonce", q.registrarTls);
        Voucher rvrElsewhere = RegistrarRequests.create(OffsetDateTime.now(), VoucherCms.verify(elsewhere, null, Instant.now(),
                List.of()).voucher(), elsewhere, p.idevid);
        assertMessage("is not in the pinned domain", () -> RegistrarRequests.check(VoucherCms.verify(VoucherCms.sign(
                rvrElsewhere, p.registrarKey.getPrivate(), null, List.of(p.registrar, p.domainCa)), null, Instant.now(),
                List.of()), List.of(p.root), List.of(), Instant.now()));

        // C.10: an expired voucher
        Voucher expired = Voucher.voucher(OffsetDateTime.now().minusDays(2), OffsetDateTime.now().minusDays(1), "logged", "SN-1",
                null, p.domainCa.getEncoded(), "nonce-nonce-nonce-nonce");
        assertMessage("the voucher expired at", () -> Vouchers.check(VoucherCms.verify(VoucherCms.sign(expired,
                p.masaKey.getPrivate(), null, List.of(p.masa)), List.of(p.root), Instant.now(), List.of()), "SN-1",
                "nonce-nonce-nonce-nonce", Instant.now()));
        // C.10: signed by another manufacturer's MASA
        Voucher good = Voucher.voucher(OffsetDateTime.now(), null, "logged", "SN-1", null, p.domainCa.getEncoded(),
                "nonce-nonce-nonce-nonce");
        assertMessage("does not chain to a trusted anchor", () -> VoucherCms.verify(VoucherCms.sign(good, q.masaKey.getPrivate(),
                null, List.of(q.masa)), List.of(p.root), Instant.now(), List.of()));
        // D.0: a registrar of another domain
        assertMessage("is not in the pinned domain", () -> DomainCerts.checkInDomain(List.of(q.registrarTls, q.domainCa),
                p.domainCa, Instant.now()));
    }

    private static void assertMessage(String part, org.junit.function.ThrowingRunnable r) {
        VoucherException e = assertThrows(VoucherException.class, r);
        assertTrue(e.getMessage(), e.getMessage().contains(part));
    }

    /** A manufacturer (root, IDevID CA, MASA) and an owner (domain CA, registrar TLS, registrar with cmcRA). */
    static final class Parties {
        final Instant from = Instant.now().minusSeconds(60);
        final Instant to = from.plus(Duration.ofDays(30));
        final KeyPair rootKey = KeyPairs.ecP256();
        final X509Certificate root = MprProfile.issue(rootKey, "CN=Maker Root", "10.0.0.1", from, to);
        final KeyPair caKey = KeyPairs.ecP256();
        final X509Certificate idevidCa = CertificateBuilder.subject("CN=Maker IDevID CA", caKey.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(from, to).ca(0).keyUsage(KeyUsage.keyCertSign).build();
        final KeyPair idevidKey = KeyPairs.ecP256();
        final X509Certificate idevid = IdevidProfile.issue(idevidCa, caKey.getPrivate(), null,
                IdevidProfile.subject("Maker", "Thing", "SN-1"), idevidKey.getPublic(), "masa.example:9443", from);
        final KeyPair masaKey = KeyPairs.ecP256();
        final X509Certificate masa = CertificateBuilder.subject("CN=Maker MASA", masaKey.getPublic())
                .issuer(root, rootKey.getPrivate()).validity(from, to).endEntity().keyUsage(KeyUsage.digitalSignature).build();
        final KeyPair domainKey = KeyPairs.ecP256();
        final X509Certificate domainCa = CertificateBuilder.subject("CN=Owner Domain CA", domainKey.getPublic())
                .selfSigned(domainKey.getPrivate()).validity(from, to).ca(1).keyUsage(KeyUsage.keyCertSign).build();
        final KeyPair registrarTlsKey = KeyPairs.ecP256();
        final X509Certificate registrarTls = CertificateBuilder.subject("CN=registrar.owner", registrarTlsKey.getPublic())
                .issuer(domainCa, domainKey.getPrivate()).validity(from, to).endEntity().keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).build();
        final KeyPair registrarKey = KeyPairs.ecP256();
        final X509Certificate registrar = CertificateBuilder.subject("CN=Owner Registrar", registrarKey.getPublic())
                .issuer(domainCa, domainKey.getPrivate()).validity(from, to).endEntity().keyUsage(KeyUsage.digitalSignature)
                .extendedKeyUsage(KeyPurposeId.id_kp_cmcRA).build();

        byte[] pledgeRequest(String serial, String nonce, X509Certificate seen) throws VoucherException {
            return VoucherCms.sign(PledgeRequests.create(OffsetDateTime.now(), serial, nonce, seen), idevidKey.getPrivate(), null,
                    List.of(idevid, idevidCa));
        }
    }
}
