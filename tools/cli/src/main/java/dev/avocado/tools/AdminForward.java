package dev.avocado.tools;

import dev.avocado.server.AdminChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin subcommands (registrar approve, masa claims, factory devices, ...) of a service whose
 * embedded database is open in its own process: the command goes over the service's owner-only admin
 * socket and runs there; with no service running it opens the database itself. No database port
 * is ever opened for it.
 */
final class AdminForward {

    /** The admin subcommands of each service, and the database folder beside the PKI where its socket is. */
    private record Service(String folder, Set<String> commands) {
    }

    private static final Map<String, Service> SERVICES = Map.of(
            "factory", new Service("factory-db", Set.of("devices", "allow", "revoke", "console-password")),
            "masa", new Service("masa-db", Set.of("claim", "claims", "vouchers")),
            "registrar", new Service("registrar-db", Set.of("pledges", "approve", "allow", "ldevids", "console-password")));

    /** Options of the admin commands that name a file, resolved by the caller before the command is sent. */
    private static final Set<String> PATH_OPTIONS = Set.of("--domain-ca", "--save", "--password-file");

    /** Where an admin command writes: the caller's terminal, or the socket's answer. */
    private static final ThreadLocal<PrintStream> OUT = ThreadLocal.withInitial(() -> System.out);

    private AdminForward() {
    }

    static PrintStream out() {
        return OUT.get();
    }

    /** The admin socket of a service's embedded database. */
    static Path socket(Path pkiFolder, String service) {
        return pkiFolder.toAbsolutePath().normalize().resolve(SERVICES.get(service).folder()).resolve("admin.sock");
    }

    /** Sends an admin command to its running service, if it is one and the service runs; else empty. */
    static Optional<Integer> forward(String... args) throws IOException {
        if (args.length < 2 || !SERVICES.containsKey(args[0]) || !SERVICES.get(args[0]).commands().contains(args[1])) {
            return Optional.empty();
        }
        List<String> argv = List.of(args);
        int pki = argv.indexOf("--pki");
        if (argv.contains("--db") || pki < 0 || pki + 1 >= args.length || argv.contains("-h") || argv.contains("--help")) {
            return Optional.empty();
        }
        // the service resolves paths in its own working folder: send the caller's, absolute
        List<String> sent = new java.util.ArrayList<>(argv);
        Path folder = Path.of(args[pki + 1]).toAbsolutePath().normalize();
        sent.set(pki + 1, folder.toString());
        for (int i = 2; i + 1 < sent.size(); i++) {
            if (sent.get(i).startsWith("--") && PATH_OPTIONS.contains(sent.get(i))) {
                sent.set(i + 1, Path.of(sent.get(i + 1)).toAbsolutePath().normalize().toString());
            }
        }
        return AdminChannel.call(socket(folder, args[0]), sent, System.out);
    }

    /** Serves the admin commands of {@code service} from inside its process. */
    static AdminChannel serve(Path pkiFolder, String service) throws IOException {
        Service s = SERVICES.get(service);
        return AdminChannel.serve(socket(pkiFolder, service), (args, out) -> {
            if (args.size() < 2 || !args.get(0).equals(service) || !s.commands().contains(args.get(1))) {
                out.println("not an admin command of the " + service + ": " + String.join(" ", args));
                return 2;
            }
            PrintStream before = OUT.get();
            OUT.set(out);
            try {
                return AvocadoCli.execute(out, args.toArray(String[]::new));
            } finally {
                OUT.set(before);
            }
        });
    }
}
