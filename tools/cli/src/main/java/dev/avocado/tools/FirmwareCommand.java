package dev.avocado.tools;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "firmware", description = "Device images.", mixinStandardHelpOptions = true,
        subcommands = FirmwareCommand.Build.class)
final class FirmwareCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds a device image: p1 (read-only firmware with the MPR and a signed manifest), "
                    + "p2 (onboarding bundles), data (empty).")
    static final class Build implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @Option(names = "--out", required = true, paramLabel = "IMAGE", description = "The image folder to create.")
        Path out;

        @Option(names = "--mpr", paramLabel = "FILE",
                description = "Put this file on p1 as the MPR instead of the PKI's (it must still issue the firmware signer).")
        Path mpr;

        @Option(names = "--force", description = "Replace an existing image.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            new ImageBuilder(new Pki(pki), Home.partitions(), System.out).build(out, mpr, force);
            return 0;
        }
    }
}
