package dev.avocado.tools;

import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.Names;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "idevid", mixinStandardHelpOptions = true, description = "IDevID certificates.",
        subcommands = IdevidCommand.Verify.class)
final class IdevidCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks that an IDevID is well formed: under the MPR, IEEE 802.1AR / RFC 8995 profile.")
    static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The IDevID (PEM or DER), followed by its issuing CA if the file has it.")
        Path file;

        @Option(names = "--mpr", required = true, paramLabel = "MPR", description = "The manufacturer provisioning root.")
        Path mpr;

        @Option(names = "--ca", paramLabel = "FILE", description = "Issuing CA certificates not in FILE.")
        Path ca;

        @Override
        public Integer call() throws Exception {
            List<X509Certificate> chain = new java.util.ArrayList<>(Pem.readCertificates(file));
            if (ca != null) {
                chain.addAll(Pem.readCertificates(ca));
            }
            try {
                IdevidProfile.Idevid idevid = IdevidProfile.check(chain,
                        dev.avocado.protocol.profile.ManufacturerTrust.of(Pem.readCertificates(mpr)), Instant.now());
                System.out.println("well formed: " + Names.display(idevid.certificate().getSubjectX500Principal()));
                System.out.println("  serial number: " + idevid.serialNumber());
                System.out.println("  MASA URL:      " + idevid.masaUrl() + " (" + idevid.masaBase() + ")");
                System.out.println("  not after:     " + idevid.certificate().getNotAfter().toInstant());
                return 0;
            } catch (ProfileException e) {
                System.out.println("not well formed: " + e.getMessage());
                return 1;
            }
        }
    }
}
