package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.voucher.Rfc8995Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** voucher inspect on the RFC 8995 Appendix C set: what a person sees of another implementation's vouchers. */
public class VoucherInspectTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private String file(String name) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.write(p, Rfc8995Vectors.bytes(name));
        return p.toString();
    }

    @Test
    public void theRfcSetInspectsAndVerifiesAtItsTime() throws Exception {
        String at = Rfc8995Vectors.AT.toString();
        Cli.Run voucher = Cli.run("voucher", "inspect", file("voucher_00-D0-E5-F2-00-02.b64"), "--trust",
                file("vendor.crt"), "--cert", file("masa.crt"), "--at", at);
        assertEquals(voucher.output(), 0, voucher.code());
        assertTrue(voucher.output(), voucher.output().contains("kind:         voucher (ietf-voucher:voucher)"));
        assertTrue(voucher.output(), voucher.output().contains("signer:       CN=highway-test.example.com MASA"));
        assertTrue(voucher.output(), voucher.output().contains("pinned:       CN=fountain-test.example.com"));
        assertTrue(voucher.output(), voucher.output().contains("\"nonce\":\"" + Rfc8995Vectors.NONCE + "\""));

        Cli.Run request = Cli.run("voucher", "inspect", file("vr_00-D0-E5-F2-00-02.b64"), "--trust", file("vendor.crt"),
                "--at", at);
        assertEquals(request.output(), 0, request.code());
        assertTrue(request.output(), request.output().contains("kind:         voucher request (ietf-voucher-request:voucher)"));
        assertTrue(request.output(), request.output().contains("content type: 1.2.840.113549.1.7.1"));

        Cli.Run parboiled = Cli.run("voucher", "inspect", file("parboiled_vr_00-D0-E5-F2-00-02.b64"), "--trust",
                file("ownerca_secp384r1.crt"), "--at", at);
        assertEquals(parboiled.output(), 0, parboiled.code());
        assertTrue(parboiled.output(), parboiled.output().contains("prior:        pledge request signed by "
                + "serialNumber=00-D0-E5-F2-00-02"));
    }

    @Test
    public void expiredUntrustedOrGarbageIsSaidAndExitsOne() throws Exception {
        Cli.Run now = Cli.run("voucher", "inspect", file("voucher_00-D0-E5-F2-00-02.b64"), "--trust", file("vendor.crt"),
                "--cert", file("masa.crt"));
        assertEquals(now.output(), 1, now.code());
        assertTrue(now.output(), now.output().contains("does not verify: the signer CN=highway-test.example.com MASA does "
                + "not chain to a trusted anchor"));
        Cli.Run foreign = Cli.run("voucher", "inspect", file("vr_00-D0-E5-F2-00-02.b64"), "--trust",
                file("ownerca_secp384r1.crt"), "--at", Rfc8995Vectors.AT.toString());
        assertEquals(foreign.output(), 1, foreign.code());
        assertTrue(foreign.output(), foreign.output().contains("does not verify: the signer serialNumber=00-D0-E5-F2-00-02 "
                + "does not chain to a trusted anchor"));
        Path garbage = tmp.newFile("garbage.b64").toPath();
        Files.writeString(garbage, "this is not a voucher");
        Cli.Run bad = Cli.run("voucher", "inspect", garbage.toString());
        assertEquals(bad.output(), 1, bad.code());
        assertTrue(bad.output(), bad.output().contains("neither DER nor base64"));
    }
}
