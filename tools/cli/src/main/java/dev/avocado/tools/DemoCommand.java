package dev.avocado.tools;

import dev.avocado.server.Pki;
import dev.avocado.launcher.DeviceImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole story on this machine: a manufacturer PKI with its MPR, a device image, and the "
                + "device booted into Felix (ending in the Gogo shell, or with --batch in a printed report).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--batch", description = "No shell: boot, show the MPR and the device state, exit 0 if all is well.")
    boolean batch;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo PKI and image go. Default: target/demo "
            + "in the checkout, made afresh.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path base = dir != null ? dir : Home.root().resolve("target").resolve("demo");
        ImageBuilder.deleteTree(base);
        Pki pki = new Pki(base.resolve("pki"));
        section("manufacturer PKI");
        pki.init("Avocado Demo Manufacturer", "https://127.0.0.1:8443", "127.0.0.1:8444");
        System.out.println("PKI:          " + pki.folder());
        section("firmware image");
        DeviceImage image = new ImageBuilder(pki, Home.partitions(), System.out).build(base.resolve("image"), null, false);
        section("device boot");
        List<String> args = new ArrayList<>();
        if (batch) {
            args.addAll(List.of("--batch", "--timeout", "120", "--exec", "mpr:show; device:state; device:keys; device:identity"));
        } else {
            System.out.println("Gogo shell: try mpr:show, device:state, device:keys, device:identity, device:events, "
                    + "help; exit with 'exit' or Ctrl-D");
        }
        return DeviceProcess.start(image, args).inheritIO().start().waitFor();
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }
}
