package dev.avocado.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tools/avocado}: one command for the manufacturer, the network owner and the developer. */
@Command(name = "avocado", mixinStandardHelpOptions = true, version = "avocado 0.1.0",
        description = "Avocado: embedded OSGi device runtime for secure IoT onboarding.",
        subcommands = {PkiCommand.class, FirmwareCommand.class, DeviceCommand.class, DemoCommand.class,
            BenchCommand.class})
public final class AvocadoCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new AvocadoCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("avocado " + cmd.getCommandName() + ": " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        return cli.execute(args);
    }
}
