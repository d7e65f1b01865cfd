package dev.avocado.tools;

import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "voucher", mixinStandardHelpOptions = true, description = "Vouchers and voucher requests (RFC 8366, RFC 8995).",
        subcommands = VoucherCommand.Inspect.class)
final class VoucherCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Parses a voucher or voucher request (CMS, DER or base64): its JSON, its signer, and whether the "
                    + "signature verifies (and, with --trust, chains to a trusted certificate). Exit 0 when it verifies.")
    static final class Inspect implements Callable<Integer> {

        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--trust", paramLabel = "CERT", description = "Trust anchors (PEM), e.g. the MPR for a voucher or "
                + "the domain CA for a registrar request; repeatable.")
        List<Path> trust = new ArrayList<>();

        @Option(names = "--cert", paramLabel = "CERT", description = "Certificates the CMS may lack (a MASA's); repeatable.")
        List<Path> extra = new ArrayList<>();

        @Option(names = "--at", paramLabel = "TIME", description = "Validate at this time (RFC 3339), e.g. "
                + "2021-05-01T00:00:00Z for the RFC 8995 examples. Default: now.")
        String at;

        @Override
        public Integer call() throws Exception {
            byte[] der;
            try {
                der = VoucherCms.decode(Files.readAllBytes(file));
            } catch (VoucherException e) {
                System.out.println(file + ": " + e.getMessage());
                return 1;
            }
            Instant when = at == null ? Instant.now() : OffsetDateTime.parse(at).toInstant();
            List<X509Certificate> anchors = read(trust);
            VoucherCms.Signed signed;
            boolean role = false;
            try {
                signed = VoucherCms.verify(der, null, when, read(extra));
                if (!anchors.isEmpty()) {
                    List<X509Certificate> pool = new ArrayList<>(signed.certificates());
                    pool.addAll(read(extra));
                    ManufacturerTrust mpr = ManufacturerTrust.of(anchors);
                    // an MPR with a MASA anchor: a voucher is checked for the MASA signer role, not only a chain
                    role = signed.voucher().kind() == Voucher.Kind.VOUCHER && !mpr.voucherAnchors().isEmpty();
                    if (role) {
                        mpr.checkVoucherSigner(signed.signer(), pool, when);
                    } else {
                        VoucherCms.validate(signed.signer(), pool, anchors, when);
                    }
                }
            } catch (VoucherException | ProfileException e) {
                System.out.println("does not verify: " + e.getMessage());
                return 1;
            }
            Voucher v = signed.voucher();
            System.out.println("kind:         " + (v.kind() == Voucher.Kind.VOUCHER ? "voucher" : "voucher request")
                    + " (" + v.kind().root() + ")");
            System.out.println("content type: " + signed.contentType());
            System.out.println("signer:       " + Names.display(signed.signer().getSubjectX500Principal()));
            System.out.println("  issuer:     " + Names.display(signed.signer().getIssuerX500Principal()));
            System.out.println("signature:    verifies" + (anchors.isEmpty() ? " (signer not checked against a trust anchor: "
                    + "give --trust)" : role ? "; the signer holds the MPR's MASA signer role at " + when
                    : "; the signer chains to a trusted anchor at " + when + " (chain only: the trust file names no "
                    + "MASA voucher-signing role, as the RFC 8995 examples' does not)"));
            if (v.pinnedDomainCert() != null) {
                System.out.println("pinned:       " + Names.display(Vouchers.pinned(v).getSubjectX500Principal()));
            }
            if (v.priorSignedVoucherRequest() != null) {
                VoucherCms.Signed prior = VoucherCms.verify(v.priorSignedVoucherRequest(), null, when, List.of());
                System.out.println("prior:        pledge request signed by "
                        + Names.display(prior.signer().getSubjectX500Principal()));
            }
            System.out.println(new String(signed.json(), StandardCharsets.UTF_8));
            return 0;
        }

        private static List<X509Certificate> read(List<Path> files) throws java.io.IOException {
            List<X509Certificate> certs = new ArrayList<>();
            for (Path p : files) {
                certs.addAll(Pem.readCertificates(p));
            }
            return certs;
        }
    }
}
