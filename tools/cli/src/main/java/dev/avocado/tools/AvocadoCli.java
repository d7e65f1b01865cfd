package dev.avocado.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tools/avocado}: one command for the manufacturer, the network owner and the developer. */
@Command(name = "avocado", mixinStandardHelpOptions = true, version = "avocado 0.1.0",
        description = "Avocado: embedded OSGi device runtime for secure IoT onboarding.",
        subcommands = {PkiCommand.class, FirmwareCommand.class, DeviceCommand.class, FactoryCommand.class,
            MasaCommand.class, RegistrarCommand.class, IdevidCommand.class, VoucherCommand.class, DemoCommand.class,
            BenchCommand.class})
public final class AvocadoCli {

    /** Library chatter at INFO (a line per TLS connection) stays out of the tools' output; held: JUL keeps loggers weakly. */
    private static final java.util.List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("org.bouncycastle",
            "org.eclipse.jetty", "com.zaxxer.hikari", "javax.jmdns").map(java.util.logging.Logger::getLogger).toList();

    public static void main(String[] args) {
        // one line per log record, as the device log has them
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$-7s [%3$s] %5$s%6$s%n");
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
        System.exit(run(args));
    }

    static int run(String... args) {
        try {
            // an admin command of a running service with an embedded database goes to that service
            java.util.Optional<Integer> forwarded = AdminForward.forward(args);
            if (forwarded.isPresent()) {
                return forwarded.get();
            }
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("avocado: the running service's admin socket failed: " + e.getMessage());
            return 1;
        }
        return execute(System.out, args);
    }

    /** Runs a command in this process, its messages and errors to {@code out}. */
    static int execute(java.io.PrintStream out, String... args) {
        CommandLine cli = new CommandLine(new AvocadoCli());
        java.io.PrintWriter writer = new java.io.PrintWriter(out, true);
        if (out != System.out) {
            cli.setOut(writer).setErr(writer);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("avocado " + cmd.getCommandName() + ": " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        String[] expanded;
        try {
            expanded = ConfigFile.expand(cli, args);
        } catch (java.io.IOException e) {
            cli.getErr().println("avocado: " + e.getMessage());
            return 2;
        }
        return cli.execute(expanded);
    }
}
