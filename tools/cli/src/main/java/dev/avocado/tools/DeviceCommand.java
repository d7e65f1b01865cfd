package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import dev.avocado.launcher.FirmwareException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "device", description = "Run device images.", mixinStandardHelpOptions = true,
        subcommands = DeviceCommand.Boot.class)
final class DeviceCommand {

    @Command(name = "boot", mixinStandardHelpOptions = true,
            description = "Boots a device image with its own start script (p1/bin/avocado-device), as the device "
                    + "does at power-on. Without --batch it ends in the Gogo shell.")
    static final class Boot implements Callable<Integer> {

        @Option(names = "--image", required = true, paramLabel = "IMAGE")
        Path image;

        @Option(names = "--batch", description = "No shell: print each state transition, exit 0 when the state is "
                + "reached, non-zero on a failed state or on timeout.")
        boolean batch;

        @Option(names = "--until", paramLabel = "STATE", description = "With --batch: unprovisioned, provisioning, "
                + "provisioned, onboarding, onboarded or failed. Default: the state the device settles in.")
        String until;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "With --batch: give up after this long.")
        Integer timeout;

        @Option(names = "--exec", paramLabel = "COMMANDS",
                description = "Gogo commands to run once booted (separated by ';'); prints their output and exits.")
        String exec;

        @Option(names = "--daemon", description = "No shell, run until stopped.")
        boolean daemon;

        @Option(names = "--keys", paramLabel = "soft|tpm",
                description = "Switch the device's key service for this boot (given to the launcher as a firmware "
                + "property, never written to the data partition).")
        String keys;

        @Option(names = "--tcti", paramLabel = "TCTI",
                description = "With --keys tpm: how the device reaches its TPM (device:/dev/tpmrm0, swtpm:port=2321).")
        String tcti;

        @Option(names = "--registrar", paramLabel = "URL",
                description = "Onboard with this registrar (https://host:port) instead of finding one with DNS-SD.")
        String registrar;

        @Option(names = "--dns-sd", paramLabel = "ADDR",
                description = "Find the registrar with DNS-SD on the interface with this address (127.0.0.1 on one machine).")
        String dnsSd;

        @Option(names = "-D", paramLabel = "NAME=VALUE", description = "A framework property for the launcher, as p1's "
                + "start script would give it (avocado.mpr.source=tpm-nv, say).")
        java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();

        @Option(names = "--radius-server", paramLabel = "NAME", description = "The DNS name of the owner's RADIUS server, "
                + "which E.1's EAP-TLS profiles require of its certificate. Default: radius. and the registrar's domain.")
        String radiusServer;

        @Override
        public Integer call() throws Exception {
            DeviceImage img;
            try {
                img = DeviceImage.at(image).check();
            } catch (FirmwareException e) {
                System.err.println("avocado device boot: " + e.getMessage());
                return 1;
            }
            List<String> args = new ArrayList<>();
            // the key service is firmware: given to the launcher on its command line (as p1's start script
            // would), never written to the data partition
            if (keys != null || tcti != null) {
                DeviceConfig.keysProperties(keys != null ? keys : "tpm", tcti)
                        .forEach((k, v) -> args.add("-D" + k + "=" + v));
            }
            properties.forEach((k, v) -> args.add("-D" + k + "=" + v));
            if (registrar != null || dnsSd != null || radiusServer != null) {
                DeviceConfig.onboarding(img, registrar, dnsSd, null, radiusServer);
            }
            if (batch) {
                args.add("--batch");
            }
            if (daemon) {
                args.add("--daemon");
            }
            if (until != null) {
                args.addAll(List.of("--until", until));
            }
            if (timeout != null) {
                args.addAll(List.of("--timeout", timeout.toString()));
            }
            if (exec != null) {
                args.addAll(List.of("--exec", exec));
            }
            return DeviceProcess.start(img, args).inheritIO().start().waitFor();
        }
    }
}
