package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.protocol.pem.Pem;
import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "factory", mixinStandardHelpOptions = true, description = "The manufacturer's IDevID provisioning service.",
        subcommands = {FactoryCommand.Serve.class, FactoryCommand.Devices.class, FactoryCommand.Allow.class,
            FactoryCommand.Revoke.class, FactoryCommand.ConsolePassword.class})
final class FactoryCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serves EST (cacerts, simpleenroll) for IDevIDs and the DPP record, until stopped.")
    static final class Serve implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        ServiceOptions serviceOptions;

        private dev.avocado.server.ServerMetrics.Listener service() {
            return serviceOptions.apply();
        }

        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Factory database;

        @Option(names = "--bind", paramLabel = "ADDR", description = "The address to listen on: the factory network's. "
                + "Default: the provisioning address's IP (the one the MPR names), else all addresses.")
        String bind;

        @Option(names = "--port", paramLabel = "N", description = "Default: the provisioning address's port.")
        Integer port;

        @Option(names = "--masa-url", paramLabel = "URL", description = "id-pe-masa-url of the IDevIDs. Default: the PKI's.")
        String masaUrl;

        @Option(names = "--allowlist", description = "Issue only for serials allowed with 'factory allow'.")
        boolean allowlist;

        @Option(names = "--station-ca", paramLabel = "FILE",
                description = "Enrollment needs a TLS client certificate issued by this CA (the factory stations').")
        List<Path> stationCas = new ArrayList<>();

        @Option(names = "--open", description = "DEMO ONLY: issue IDevIDs to any TLS client for any unused serial, with "
                + "neither --station-ca nor --allowlist. Turns off: who may enroll (anyone can mint genuine IDevIDs for "
                + "counterfeit devices) and which serials exist (anyone can squat a real device's serial).")
        boolean open;

        @Override
        public Integer call() throws Exception {
            if (!open && !allowlist && stationCas.isEmpty()) {
                throw new IllegalArgumentException("factory serve issues IDevIDs only to factory stations (--station-ca FILE) "
                        + "or for planned serials (--allowlist); --open (a demo) turns both protections off");
            }
            if (open) {
                AdminForward.out().println("factory: --open: IDevIDs for any client and any unused serial (demo; not for production)");
            }
            FactoryService service = start(database.pki, database.url(), bind, port, masaUrl, allowlist, stationCas, service());
            AutoCloseable admin = database.isEmbedded() ? AdminForward.serve(database.pki, "factory") : null;
            AdminForward.out().println("factory provisioning service: " + service.describe());
            serviceOptions.announce("factory", service.metricsPort());
            return Serving.untilStopped(admin, service);
        }
    }

    static FactoryService start(Path pkiDir, String db, String bind, Integer port, String masaUrl, boolean allowlist,
            List<Path> stationCas) throws Exception {
        return start(pkiDir, db, bind, port, masaUrl, allowlist, stationCas, null);
    }

    static FactoryService start(Path pkiDir, String db, String bind, Integer port, String masaUrl, boolean allowlist,
            List<Path> stationCas, dev.avocado.server.ServerMetrics.Listener metrics) throws Exception {
        if (pkiDir == null) {
            throw new IllegalArgumentException("factory serve needs --pki DIR (its IDevID CA signs)");
        }
        Pki pki = new Pki(pkiDir);
        Listen listen = Listen.of(pki.provisioningUrl(), bind, port);
        List<X509Certificate> stations = new ArrayList<>();
        for (Path p : stationCas) {
            stations.addAll(Pem.readCertificates(p));
        }
        return FactoryService.start(pki, db, new FactoryService.Settings(listen.bind(), listen.port(),
                masaUrl != null ? masaUrl : pki.masaUrl(), allowlist, stations), metrics);
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, description = "Lists the IDevIDs issued.")
    static final class Devices implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Factory database;

        @Override
        public Integer call() throws Exception {
            try (FactoryService.Admin admin = FactoryService.admin(database.url())) {
                List<String> lines = admin.devices();
                lines.forEach(AdminForward.out()::println);
                AdminForward.out().println(lines.size() + " IDevIDs");
            }
            return 0;
        }
    }

    @Command(name = "allow", mixinStandardHelpOptions = true,
            description = "Adds serials to the production plan (enforced with serve --allowlist).")
    static final class Allow implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Factory database;

        @Parameters(arity = "1..*", paramLabel = "SERIAL")
        List<String> serials;

        @Override
        public Integer call() throws Exception {
            try (FactoryService.Admin admin = FactoryService.admin(database.url())) {
                AdminForward.out().println(admin.allow(serials) + " serials added");
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes the live IDevID of a serial, so a new one can be issued for it.")
    static final class Revoke implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Factory database;

        @Parameters(paramLabel = "SERIAL")
        String serial;

        @Option(names = "--reason", defaultValue = "revoked by the manufacturer")
        String reason;

        @Override
        public Integer call() throws Exception {
            try (FactoryService.Admin admin = FactoryService.admin(database.url())) {
                if (!admin.revoke(serial, reason)) {
                    AdminForward.out().println("avocado factory revoke: serial " + serial + " has no live IDevID");
                    return 1;
                }
                AdminForward.out().println("serial " + serial + ": IDevID revoked");
            }
            return 0;
        }
    }

    @Command(name = "console-password", mixinStandardHelpOptions = true, description = "Sets the admin password of the "
            + "factory's web console (https://FACTORY/console), which lets nobody in until one is set; signs out every "
            + "console session.")
    static final class ConsolePassword implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        DatabaseOptions.Factory database;

        @Option(names = "--password-file", paramLabel = "FILE", required = true, description = PasswordFile.OPTION)
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            try (FactoryService.Admin admin = FactoryService.admin(database.url())) {
                return PasswordFile.set("factory", passwordFile, admin::consolePassword);
            }
        }
    }
}
