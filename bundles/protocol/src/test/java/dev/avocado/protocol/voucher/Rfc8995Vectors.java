package dev.avocado.protocol.voucher;

import dev.avocado.protocol.pem.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The RFC 8995 Appendix C example set (ANIMA working group, anima-bootstrap examples), copied from
 * shared/vectors/rfc8995 into the test resources. Its certificates expired in 2022 and 2023: checks run
 * at {@link #AT}.
 */
public final class Rfc8995Vectors {

    public static final Instant AT = Instant.parse("2021-05-01T00:00:00Z");
    public static final String SERIAL = "00-D0-E5-F2-00-02";
    public static final String NONCE = "-_XE9zK9q8Ll1qylMtLKeg";

    private Rfc8995Vectors() {
    }

    public static byte[] bytes(String name) throws IOException {
        try (InputStream in = Rfc8995Vectors.class.getResourceAsStream("/rfc8995/" + name)) {
            if (in == null) {
                throw new IOException("no test resource rfc8995/" + name);
            }
            return in.readAllBytes();
        }
    }

    public static X509Certificate cert(String name) throws IOException {
        return Pem.readCertificates(bytes(name), name).get(0);
    }

    /** A CMS blob of the set (base64 files). */
    public static byte[] cms(String name) throws IOException, VoucherException {
        return VoucherCms.decode(bytes(name));
    }

    public static X509Certificate vendor() throws IOException {
        return cert("vendor.crt");
    }

    public static X509Certificate masa() throws IOException {
        return cert("masa.crt");
    }

    public static X509Certificate idevid() throws IOException {
        return cert("idevid_00-D0-E5-F2-00-02.crt");
    }

    public static X509Certificate registrar() throws IOException {
        return cert("jrc_prime256v1.crt");
    }

    public static X509Certificate ownerCa() throws IOException {
        return cert("ownerca_secp384r1.crt");
    }

    public static List<X509Certificate> manufacturer() throws IOException {
        return List.of(vendor());
    }
}
