package dev.avocado.tools;

import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.registrar.RegistrarService;
import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "registrar", mixinStandardHelpOptions = true,
        description = "The network owner's BRSKI registrar with its EST CA (RFC 8995, RFC 7030).",
        subcommands = {RegistrarCommand.Serve.class, RegistrarCommand.Pledges.class, RegistrarCommand.Approve.class,
            RegistrarCommand.Allow.class, RegistrarCommand.Ldevids.class, RegistrarCommand.ConsolePassword.class, ManufacturerCommand.class})
final class RegistrarCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serves BRSKI and EST until stopped, announced by DNS-SD as _brski-registrar._tcp.")
    static final class Serve implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        ServiceOptions serviceOptions;

        private dev.avocado.server.ServerMetrics.Listener service() {
            return serviceOptions.apply();
        }

        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Option(names = "--bind", paramLabel = "ADDR", description = "Default: the registrar address's IP, else all addresses.")
        String bind;

        @Option(names = "--port", paramLabel = "N", description = "Default: the registrar address's port.")
        Integer port;

        @Option(names = "--approval", paramLabel = "POLICY", defaultValue = "manual", description = "manual: each pledge "
                + "waits for 'registrar approve'; allowlist: serials added with 'registrar allow'; auto (DEMO ONLY): every "
                + "pledge of a trusted manufacturer, which turns off the owner's say over which devices join. "
                + "Default: ${DEFAULT-VALUE}.")
        String approval;

        @Option(names = "--manufacturer", paramLabel = "FILE", description = "A manufacturer whose IDevIDs are accepted: its MPR "
                + "(root and MASA voucher anchor) and its intermediate CAs, which pledges that send only their IDevID need "
                + "(as 'registrar manufacturer' fetches them from its cacerts); repeatable. Default: the PKI's own "
                + "manufacturer with its IDevID CA.")
        List<Path> manufacturers = new ArrayList<>();

        @Option(names = "--ldevid-validity", paramLabel = "DURATION", defaultValue = "P365D",
                description = "How long LDevIDs are valid (ISO 8601). Default: ${DEFAULT-VALUE}.")
        Duration ldevidValidity;

        @Option(names = "--no-dns-sd", description = "Do not announce the registrar with DNS-SD.")
        boolean noDnsSd;

        @Override
        public Integer call() throws Exception {
            RegistrarService.Approval policy = RegistrarService.Approval.parse(approval);
            if (policy == RegistrarService.Approval.AUTO) {
                AdminForward.out().println("registrar: --approval auto: every device of a trusted manufacturer joins (demo; not for "
                        + "production)");
            }
            RegistrarService registrar = start(database.pki, database.url(), bind, port, policy, manufacturers, ldevidValidity,
                    !noDnsSd, service());
            AutoCloseable admin = database.isEmbedded() ? AdminForward.serve(database.pki, "registrar") : null;
            AdminForward.out().println("registrar: " + registrar.describe());
            serviceOptions.announce("registrar", registrar.metricsPort());
            return Serving.untilStopped(admin, registrar);
        }
    }

    static RegistrarService start(Path pkiDir, String db, String bind, Integer port, RegistrarService.Approval approval,
            List<Path> manufacturerFiles, Duration ldevidValidity, boolean dnsSd) throws Exception {
        return start(pkiDir, db, bind, port, approval, manufacturerFiles, ldevidValidity, dnsSd, null);
    }

    static RegistrarService start(Path pkiDir, String db, String bind, Integer port, RegistrarService.Approval approval,
            List<Path> manufacturerFiles, Duration ldevidValidity, boolean dnsSd,
            dev.avocado.server.ServerMetrics.Listener metrics) throws Exception {
        if (pkiDir == null) {
            throw new IllegalArgumentException("registrar serve needs --pki DIR (the owner's domain CA issues LDevIDs)");
        }
        Pki pki = new Pki(pkiDir);
        Listen listen = Listen.of(pki.registrarUrl(), bind, port);
        List<ManufacturerTrust> manufacturers = new ArrayList<>();
        for (Path p : manufacturerFiles) {
            try {
                manufacturers.add(ManufacturerTrust.published(Pem.readCertificates(p), Instant.now()));
            } catch (ProfileException e) {
                throw new IllegalArgumentException("--manufacturer " + p + ": " + e.getMessage(), e);
            }
        }
        if (manufacturers.isEmpty()) {
            manufacturers.add(ManufacturerTrust.of(pki.mprCertificates())
                    .withIntermediates(List.of(pki.certificate(Pki.MANUFACTURER, Pki.IDEVID_CA)), Instant.now()));
        }
        return RegistrarService.start(pki, db, new RegistrarService.Settings(listen.bind(), listen.port(), approval, manufacturers,
                ldevidValidity, Duration.ofSeconds(2), dnsSd), metrics);
    }

    @Command(name = "pledges", mixinStandardHelpOptions = true, description = "Lists the pledges that asked, and where they are.")
    static final class Pledges implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Override
        public Integer call() throws Exception {
            try (RegistrarService.Admin admin = RegistrarService.admin(database.url())) {
                List<String> lines = admin.pledges();
                lines.forEach(AdminForward.out()::println);
                AdminForward.out().println(lines.size() + " pledges");
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approves pledges (approval manual).")
    static final class Approve implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Parameters(arity = "1..*", paramLabel = "SERIAL")
        List<String> serials;

        @Override
        public Integer call() throws Exception {
            try (RegistrarService.Admin admin = RegistrarService.admin(database.url())) {
                AdminForward.out().println(admin.approve(serials) + " approved");
            }
            return 0;
        }
    }

    @Command(name = "allow", mixinStandardHelpOptions = true, description = "Adds serials to the allowlist (approval allowlist).")
    static final class Allow implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Parameters(arity = "1..*", paramLabel = "SERIAL")
        List<String> serials;

        @Override
        public Integer call() throws Exception {
            try (RegistrarService.Admin admin = RegistrarService.admin(database.url())) {
                AdminForward.out().println(admin.allow(serials) + " serials added");
            }
            return 0;
        }
    }

    @Command(name = "ldevids", mixinStandardHelpOptions = true, description = "Lists the LDevIDs issued.")
    static final class Ldevids implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Parameters(arity = "0..1", paramLabel = "SERIAL")
        String serial;

        @Override
        public Integer call() throws Exception {
            try (RegistrarService.Admin admin = RegistrarService.admin(database.url())) {
                List<String> lines = admin.ldevids(serial);
                lines.forEach(AdminForward.out()::println);
                AdminForward.out().println(lines.size() + " LDevIDs");
            }
            return 0;
        }
    }

    @Command(name = "console-password", mixinStandardHelpOptions = true, description = "Sets the admin password of the "
            + "registrar's web console (https://REGISTRAR/console), which lets nobody in until one is set; signs out every "
            + "console session.")
    static final class ConsolePassword implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Registrar database;

        @Option(names = "--password-file", paramLabel = "FILE", required = true, description = PasswordFile.OPTION)
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            try (RegistrarService.Admin admin = RegistrarService.admin(database.url())) {
                return PasswordFile.set("registrar", passwordFile, admin::consolePassword);
            }
        }
    }
}
