package dev.avocado.tools;

import dev.avocado.masa.MasaService;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "masa", mixinStandardHelpOptions = true,
        description = "The manufacturer's authorized signing authority: vouchers for registrars (RFC 8995).",
        subcommands = {MasaCommand.Serve.class, MasaCommand.Claim.class, MasaCommand.Claims.class, MasaCommand.Vouchers.class})
final class MasaCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serves requestvoucher and requestauditlog until stopped.")
    static final class Serve implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        ServiceOptions serviceOptions;

        private dev.avocado.server.ServerMetrics.Listener service() {
            return serviceOptions.apply();
        }

        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Masa database;

        @Option(names = "--bind", paramLabel = "ADDR", description = "Default: the MASA address's IP (the one IDevIDs name), "
                + "else all addresses.")
        String bind;

        @Option(names = "--port", paramLabel = "N", description = "Default: the MASA address's port.")
        Integer port;

        @Option(names = "--ownership", paramLabel = "MODE", defaultValue = "records", description = "records: only "
                + "domains recorded with 'masa claim' get vouchers; first-claim (DEMO ONLY): the first domain to ask for a "
                + "serial owns it, which turns off the sales record (whoever reaches a device first owns it). "
                + "Default: ${DEFAULT-VALUE}.")
        String ownership;

        @Option(names = "--voucher-lifetime", paramLabel = "DURATION", defaultValue = "P1D",
                description = "expires-on after created-on (ISO 8601). Default: ${DEFAULT-VALUE}.")
        Duration lifetime;

        @Override
        public Integer call() throws Exception {
            MasaService.Ownership mode = MasaService.Ownership.parse(ownership);
            if (mode == MasaService.Ownership.FIRST_CLAIM) {
                AdminForward.out().println("MASA: --ownership first-claim: the first domain to ask owns a serial (demo; not for production)");
            }
            MasaService masa = start(database.pki, database.url(), bind, port, mode, lifetime, service());
            AutoCloseable admin = database.isEmbedded() ? AdminForward.serve(database.pki, "masa") : null;
            AdminForward.out().println("MASA: " + masa.describe());
            serviceOptions.announce("masa", masa.metricsPort());
            return Serving.untilStopped(admin, masa);
        }
    }

    static MasaService start(Path pkiDir, String db, String bind, Integer port, MasaService.Ownership ownership,
            Duration lifetime) throws Exception {
        return start(pkiDir, db, bind, port, ownership, lifetime, null);
    }

    static MasaService start(Path pkiDir, String db, String bind, Integer port, MasaService.Ownership ownership,
            Duration lifetime, dev.avocado.server.ServerMetrics.Listener metrics) throws Exception {
        if (pkiDir == null) {
            throw new IllegalArgumentException("masa serve needs --pki DIR (its MASA key signs)");
        }
        Pki pki = new Pki(pkiDir);
        Listen listen = Listen.of(pki.masaUrl(), bind, port);
        return MasaService.start(pki, db, new MasaService.Settings(listen.bind(), listen.port(), ownership, lifetime), metrics);
    }

    @Command(name = "claim", mixinStandardHelpOptions = true,
            description = "Records that a network owner (its domain CA) owns serials: from the sales records.")
    static final class Claim implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Masa database;

        @Option(names = "--domain-ca", required = true, paramLabel = "FILE", description = "The owner's domain CA certificate.")
        Path domainCa;

        @Parameters(arity = "1..*", paramLabel = "SERIAL")
        List<String> serials;

        @Override
        public Integer call() throws Exception {
            try (MasaService.Admin admin = MasaService.admin(database.url())) {
                AdminForward.out().println(admin.claim(serials, Pem.readCertificates(domainCa).get(0)) + " serials recorded");
            }
            return 0;
        }
    }

    @Command(name = "claims", mixinStandardHelpOptions = true, description = "Lists who owns which serial.")
    static final class Claims implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Masa database;

        @Override
        public Integer call() throws Exception {
            try (MasaService.Admin admin = MasaService.admin(database.url())) {
                List<String> lines = admin.claims();
                lines.forEach(AdminForward.out()::println);
                AdminForward.out().println(lines.size() + " claims");
            }
            return 0;
        }
    }

    @Command(name = "vouchers", mixinStandardHelpOptions = true, description = "The voucher log (the audit log).")
    static final class Vouchers implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Masa database;

        @Parameters(arity = "0..1", paramLabel = "SERIAL")
        String serial;

        @Option(names = "--save", paramLabel = "FILE", description = "Write the serial's last voucher (DER) to FILE.")
        Path save;

        @Override
        public Integer call() throws Exception {
            try (MasaService.Admin admin = MasaService.admin(database.url())) {
                List<String> lines = admin.vouchers(serial);
                lines.forEach(AdminForward.out()::println);
                AdminForward.out().println(lines.size() + " vouchers");
                if (save != null) {
                    if (serial == null) {
                        throw new IllegalArgumentException("--save needs a SERIAL");
                    }
                    byte[] der = admin.lastVoucher(serial).orElseThrow(() -> new IllegalArgumentException(
                            "serial " + serial + " has no voucher"));
                    dev.avocado.protocol.io.AtomicFiles.write(save, der, dev.avocado.protocol.io.AtomicFiles.PUBLIC);
                    AdminForward.out().println("saved " + save);
                }
            }
            return 0;
        }
    }
}
