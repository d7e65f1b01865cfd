package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.launcher.DeviceImage;
import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole story on this machine: a manufacturer PKI with its MPR, the factory provisioning "
                + "service, a device image, and the device booted into Felix, provisioned with its IDevID, ending in "
                + "the Gogo shell (or with --batch in a printed report).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--batch", description = "No shell: boot, provision, show the MPR and the IDevID, exit 0 if all is well.")
    boolean batch;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo PKI, database and image go. Default: "
            + "target/demo in the checkout, made afresh.")
    Path dir;

    @Option(names = "--tcti", paramLabel = "TCTI",
            description = "Keep the device keys in this TPM (swtpm:port=2321); default: software keys.")
    String tcti;

    @Override
    public Integer call() throws Exception {
        Path base = dir != null ? dir : Home.root().resolve("target").resolve("demo");
        ImageBuilder.deleteTree(base);
        Pki pki = new Pki(base.resolve("pki"));
        section("manufacturer PKI");
        int port = freeOr(8443);
        pki.init("Avocado Demo Manufacturer", "https://127.0.0.1:" + port, "127.0.0.1:8444");
        System.out.println("PKI:          " + pki.folder());
        section("factory provisioning service");
        try (FactoryService factory = FactoryCommand.start(pki.folder(), "jdbc:h2:file:" + base.resolve("factory-db/devices"),
                null, null, null, false, List.of())) {
            System.out.println("listening:    " + factory.describe());
            section("firmware image");
            String serial = String.format("AVO-%08X", ThreadLocalRandom.current().nextInt());
            DeviceImage image = new ImageBuilder(pki, Home.partitions(), System.out).build(base.resolve("image"), null, false,
                    tcti == null ? "soft" : "tpm", tcti, null, MprAnchoring.Content.CERTIFICATE, serial);
            System.out.println("serial:       " + serial);
            section("device boot");
            List<String> args = new ArrayList<>();
            if (batch) {
                args.addAll(List.of("--batch", "--until", "provisioned", "--timeout", "120", "--exec",
                        "mpr:show; idevid:show; idevid:verify; device:state"));
            } else {
                System.out.println("Gogo shell: try device:state, mpr:show, idevid:show, idevid:verify, device:keys, "
                        + "device:events, help; exit with 'exit' or Ctrl-D");
            }
            int code = DeviceProcess.start(image, args).inheritIO().start().waitFor();
            if (batch) {
                section("manufacturer's device database");
                try (FactoryService.Admin admin = FactoryService.admin("jdbc:h2:file:" + base.resolve("factory-db/devices"))) {
                    admin.devices().forEach(System.out::println);
                }
            }
            return code;
        }
    }

    /** The port the MPR will name: the usual one when it is free, else any free one. */
    private static int freeOr(int preferred) throws java.io.IOException {
        for (int p : new int[] {preferred, 0}) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("127.0.0.1", p));
                return s.getLocalPort();
            } catch (java.net.BindException e) {
                // taken: try any
            }
        }
        throw new java.io.IOException("no free port on 127.0.0.1");
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }
}
