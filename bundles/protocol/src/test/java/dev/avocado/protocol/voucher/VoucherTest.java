package dev.avocado.protocol.voucher;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Vouchers and voucher requests: the RFC 8995 example set through our code, our own through openssl. */
public class VoucherTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static byte[] finding(String name) throws java.io.IOException {
        try (java.io.InputStream in = VoucherTest.class.getResourceAsStream("/findings/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Found by fuzzing (tools/fuzz): BouncyCastle threw an unchecked exception out of the signature check. */
    @Test
    public void aSignatureValueThatIsNoEcdsaSignatureIsRefusedWithAReason() throws Exception {
        byte[] cms = finding("voucher-cms-signature-not-ecdsa-der");
        VoucherException e = assertThrows(VoucherException.class, () -> VoucherCms.verify(cms, null, Instant.now(), List.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("signature"));
    }

    /** Found by fuzzing: a SignerInfo whose sid is neither form made BouncyCastle throw ClassCastException. */
    @Test
    public void aSignerIdOfNeitherFormIsRefusedAsMalformed() throws Exception {
        byte[] cms = finding("voucher-cms-signer-id-not-issuer-and-serial");
        VoucherException e = assertThrows(VoucherException.class, () -> VoucherCms.verify(cms, null, Instant.now(), List.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("malformed"));
    }

    @Test
    public void pledgeVoucherRequestOfTheRfcVerifies() throws Exception {
        VoucherCms.Signed vr = VoucherCms.verify(Rfc8995Vectors.cms("vr_00-D0-E5-F2-00-02.b64"),
                Rfc8995Vectors.manufacturer(), Rfc8995Vectors.AT, List.of());
        // the signer is an IDevID of the serial (the set's .crt file is a later reissue of it)
        assertEquals(Rfc8995Vectors.SERIAL, dev.avocado.protocol.x509.Names.serialNumber(vr.signer()).orElseThrow());
        assertEquals(Rfc8995Vectors.vendor().getSubjectX500Principal(), vr.signer().getIssuerX500Principal());
        assertEquals("1.2.840.113549.1.7.1", vr.contentType()); // id-data in the published blobs
        Voucher v = vr.voucher();
        assertEquals(Voucher.Kind.REQUEST, v.kind());
        assertEquals("proximity", v.assertion());
        assertEquals(Rfc8995Vectors.SERIAL, v.serialNumber());
        assertEquals(Rfc8995Vectors.NONCE, v.nonce());
        assertEquals(OffsetDateTime.parse("2021-04-13T17:43:23.747-04:00"), v.createdOn());
        assertArrayEquals(Rfc8995Vectors.registrar().getEncoded(), v.proximityRegistrarCert());
    }

    @Test
    public void registrarVoucherRequestOfTheRfcVerifiesAndCarriesThePledgeRequest() throws Exception {
        VoucherCms.Signed pvr = VoucherCms.verify(Rfc8995Vectors.cms("parboiled_vr_00-D0-E5-F2-00-02.b64"),
                List.of(Rfc8995Vectors.ownerCa()), Rfc8995Vectors.AT, List.of());
        assertEquals(Rfc8995Vectors.registrar(), pvr.signer());
        Voucher v = pvr.voucher();
        assertEquals(Rfc8995Vectors.SERIAL, v.serialNumber());
        assertEquals(Rfc8995Vectors.NONCE, v.nonce());
        VoucherCms.Signed prior = VoucherCms.verify(v.priorSignedVoucherRequest(), Rfc8995Vectors.manufacturer(),
                Rfc8995Vectors.AT, List.of());
        assertEquals(Rfc8995Vectors.NONCE, prior.voucher().nonce());
        assertEquals(Rfc8995Vectors.SERIAL, dev.avocado.protocol.x509.Names.serialNumber(prior.signer()).orElseThrow());
    }

    @Test
    public void voucherOfTheRfcVerifiesAgainstTheManufacturer() throws Exception {
        VoucherCms.Signed voucher = VoucherCms.verify(Rfc8995Vectors.cms("voucher_00-D0-E5-F2-00-02.b64"),
                Rfc8995Vectors.manufacturer(), Rfc8995Vectors.AT, List.of(Rfc8995Vectors.masa()));
        assertEquals(Rfc8995Vectors.masa(), voucher.signer());
        Voucher v = voucher.voucher();
        assertEquals(Voucher.Kind.VOUCHER, v.kind());
        assertEquals("logged", v.assertion());
        assertEquals(Rfc8995Vectors.SERIAL, v.serialNumber());
        assertEquals(Rfc8995Vectors.NONCE, v.nonce());
        assertArrayEquals(Rfc8995Vectors.registrar().getEncoded(), v.pinnedDomainCert());
        // after the certificates expired it no longer verifies
        VoucherException late = assertThrows(VoucherException.class, () -> VoucherCms.verify(
                Rfc8995Vectors.cms("voucher_00-D0-E5-F2-00-02.b64"), Rfc8995Vectors.manufacturer(), Instant.now(),
                List.of(Rfc8995Vectors.masa())));
        assertTrue(late.getMessage(), late.getMessage().contains("does not chain to a trusted anchor"));
    }

    @Test
    public void ourVoucherIsSignedAsOpensslExpects() throws Exception {
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "CN=Maker Root", "10.0.0.1", Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        Voucher voucher = Voucher.voucher(OffsetDateTime.now(), null, "logged", "SN-1", new byte[] {1, 2},
                root.getEncoded(), "abcdefghijklmnopqrstuv");
        byte[] der = VoucherCms.sign(voucher, rootKey.getPrivate(), null, List.of(root));
        // DER, as strict peers parse it: no indefinite lengths, sets sorted
        assertArrayEquals(org.bouncycastle.asn1.ASN1Primitive.fromByteArray(der).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER),
                der);
        VoucherCms.Signed back = VoucherCms.verify(der, List.of(root), Instant.now(), List.of());
        assertEquals("1.2.840.113549.1.9.16.1.40", back.contentType());
        assertEquals("SN-1", back.voucher().serialNumber());

        String out = opensslVerify(der, root);
        assertTrue(out, out.contains("\"ietf-voucher:voucher\"") && out.contains("Verification successful"));
    }

    /**
     * A device whose clock may be behind signs without a signingTime: a verifier would check its
     * certificate, issued after that clock, at that time ("verifier not valid at signingTime").
     */
    @Test
    public void aRequestSignedWithoutSigningTimeCarriesNoneAndVerifiesAfterTheSignersNotBefore() throws Exception {
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "CN=Maker Root", "10.0.0.1", Instant.now().plusSeconds(3600),
                Instant.now().plusSeconds(7200));
        Voucher request = Voucher.request(OffsetDateTime.now(), "proximity", "SN-1", null, "abcdefghijklmnopqrstuv", null, null);
        byte[] without = VoucherCms.sign(request, rootKey.getPrivate(), null, List.of(root), false);
        org.bouncycastle.cms.SignerInformation signer = new org.bouncycastle.cms.CMSSignedData(without).getSignerInfos()
                .getSigners().iterator().next();
        assertEquals(null, signer.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.signingTime));
        assertEquals("SN-1", VoucherCms.verify(without, List.of(root), Instant.now().plusSeconds(3700), List.of())
                .voucher().serialNumber());
        byte[] with = VoucherCms.sign(request, rootKey.getPrivate(), null, List.of(root));
        VoucherException e = assertThrows(VoucherException.class,
                () -> VoucherCms.verify(with, List.of(root), Instant.now().plusSeconds(3700), List.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("signingTime"));
    }

    /**
     * What other implementations send or parse (issue 9): a base64 CMS body verifies as the DER does;
     * created-on has whole seconds (strict strptime parsers); a COSE voucher is named.
     */
    @Test
    public void otherPeersFormsAreTakenAndOursIsStrictRfc3339() throws Exception {
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "CN=Maker Root", "10.0.0.1", Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        Voucher voucher = Voucher.voucher(OffsetDateTime.parse("2026-12-01T08:30:56.989562162Z"), null, "logged", "SN-1",
                null, root.getEncoded(), "abcdefghijklmnopqrstuv");
        assertTrue(new String(voucher.toJson(), StandardCharsets.UTF_8).contains("\"created-on\":\"2026-12-01T08:30:56Z\""));
        byte[] der = VoucherCms.sign(voucher, rootKey.getPrivate(), null, List.of(root));
        byte[] base64 = java.util.Base64.getMimeEncoder().encode(der);
        assertEquals("SN-1", VoucherCms.verify(base64, List.of(root), Instant.now(), List.of()).voucher().serialNumber());
        // a tampered base64 body is still a bad signature, not accepted for being base64
        byte[] tampered = der.clone();
        tampered[tampered.length - 5] ^= 1;
        assertThrows(VoucherException.class, () -> VoucherCms.verify(java.util.Base64.getEncoder().encode(tampered),
                List.of(root), Instant.now(), List.of()));
        VoucherException cose = assertThrows(VoucherException.class, () -> VoucherCms.verify(new byte[] {(byte) 0xd2,
                (byte) 0x84, 0x43}, null, Instant.now(), List.of()));
        assertTrue(cose.getMessage(), cose.getMessage().contains("COSE-signed voucher"));
        // base64 of a COSE_Sign1 starts with '0' (0x30), as DER does: still named (minerva's fixtures have such files)
        byte[] coseBase64 = java.util.Base64.getEncoder().encode(new byte[] {(byte) 0xd2, (byte) 0x84, 0x43, (byte) 0xa1, 0x01, 0x26});
        assertEquals('0', (char) coseBase64[0]);
        VoucherException named = assertThrows(VoucherException.class, () -> VoucherCms.verify(coseBase64, null, Instant.now(),
                List.of()));
        assertTrue(named.getMessage(), named.getMessage().contains("COSE-signed voucher"));
    }

    /**
     * A pledge that writes its signed attributes in another order than DER's and signs them as sent
     * (issue 9): openssl accepts it, and so do we now; the same CMS with the attributes put in DER's
     * order after signing has the same values but not the signed bytes, and is refused.
     */
    @Test
    public void signedAttributesAreVerifiedAsReceived() throws Exception {
        KeyPair rootKey = KeyPairs.ecP256();
        X509Certificate root = MprProfile.issue(rootKey, "CN=Maker Root", "10.0.0.1", Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        byte[] json = Voucher.voucher(OffsetDateTime.now(), null, "logged", "SN-1", null, root.getEncoded(),
                "abcdefghijklmnopqrstuv").toJson();
        byte[] peer = PeerCms.signedAsSent(json, rootKey.getPrivate(), List.of(root));
        assertEquals("SN-1", VoucherCms.verify(peer, List.of(root), Instant.now(), List.of()).voucher().serialNumber());
        opensslVerify(peer, root); // openssl takes the peer's CMS

        VoucherException trick = assertThrows(VoucherException.class, () -> VoucherCms.verify(
                PeerCms.reorderedAfterSigning(json, rootKey.getPrivate(), List.of(root)), List.of(root), Instant.now(), List.of()));
        assertEquals("the signature does not verify, over the DER encoding of the signed attributes (RFC 5652 5.4) "
                + "nor over their encoding as received", trick.getMessage());
    }

    /** {@code openssl cms -verify} of a DER CMS under one root; its output (the content and the verdict). */
    private String opensslVerify(byte[] der, X509Certificate root) throws Exception {
        Path file = tmp.newFile().toPath();
        Files.write(file, der);
        Path ca = tmp.newFile().toPath();
        Files.writeString(ca, dev.avocado.protocol.pem.Pem.encode(root));
        Process p = new ProcessBuilder("openssl", "cms", "-verify", "-inform", "DER", "-in", file.toString(), "-CAfile",
                ca.toString(), "-purpose", "any").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        return out;
    }

    @Test
    public void malformedDocumentsAreNamed() {
        expect("unknown root 'ietf-voucher:nope'", "{\"ietf-voucher:nope\":{}}");
        expect("serial-number is missing", "{\"ietf-voucher-request:voucher\":{\"nonce\":\"abcd\"}}");
        expect("pinned-domain-cert is missing", "{\"ietf-voucher:voucher\":{\"created-on\":\"2021-01-01T00:00:00Z\","
                + "\"assertion\":\"logged\",\"serial-number\":\"1\"}}");
        expect("created-on 'yesterday' is not an RFC 3339 date-time", "{\"ietf-voucher:voucher\":{\"created-on\":\"yesterday\","
                + "\"assertion\":\"logged\",\"serial-number\":\"1\",\"pinned-domain-cert\":\"AAAA\"}}");
        expect("nonce has 33 bytes; at most 32 are allowed", "{\"ietf-voucher-request:voucher\":{\"serial-number\":\"1\","
                + "\"nonce\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[33]) + "\"}}");
        expect("unknown field 'color'", "{\"ietf-voucher-request:voucher\":{\"serial-number\":\"1\",\"color\":\"red\"}}");
        expect("assertion 'trust-me' is not verified, logged or proximity", "{\"ietf-voucher-request:voucher\":"
                + "{\"serial-number\":\"1\",\"assertion\":\"trust-me\"}}");
        expect("not JSON", "{not json");
        VoucherException cms = assertThrows(VoucherException.class, () -> VoucherCms.verify(new byte[] {0x30, 0x03, 1, 2, 3},
                null, Instant.now(), List.of()));
        assertTrue(cms.getMessage(), cms.getMessage().startsWith("not a CMS SignedData"));
        // tolerated base64 is still only a CMS: base64 of something else is named as not one
        VoucherException notCms = assertThrows(VoucherException.class, () -> VoucherCms.verify(java.util.Base64.getEncoder()
                .encode("{\"ietf-voucher:voucher\":{}}".getBytes(StandardCharsets.UTF_8)), null, Instant.now(), List.of()));
        assertTrue(notCms.getMessage(), notCms.getMessage().startsWith("not a CMS SignedData"));
    }

    private static void expect(String message, String json) {
        VoucherException e = assertThrows(VoucherException.class, () -> Voucher.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
}
