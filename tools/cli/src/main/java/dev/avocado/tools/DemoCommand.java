package dev.avocado.tools;

import dev.avocado.factory.FactoryService;
import dev.avocado.masa.MasaService;
import dev.avocado.registrar.RegistrarService;
import dev.avocado.launcher.DeviceImage;
import dev.avocado.server.AdminChannel;
import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.avocado.tpm.TpmResourceManager;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole story on this machine: the manufacturer (PKI with its MPR, factory provisioning "
                + "service, MASA), the network owner (registrar with its domain CA, announced by DNS-SD), a device image "
                + "booted into Felix: IDevID, voucher, LDevID, EAP-TLS profile; ending in the Gogo shell (or with --batch "
                + "in a printed report).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--batch", description = "No shell: boot, provision, onboard, show what the device holds, exit 0 "
            + "only when the device is onboarded.")
    boolean batch;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo PKI, databases and image go. Default: "
            + "target/demo in the checkout, made afresh.")
    Path dir;

    @Option(names = "--tcti", paramLabel = "TCTI",
            description = "Keep every device key in this TPM (swtpm:port=2321): the IDevID through the TPM key service, "
                    + "the LDevID through tpm2-pkcs11. swtpm serves one connection at a time, so the demo puts tpm2-abrmd "
                    + "in front of it (as /dev/tpmrm0 is on a device). Default: software keys.")
    String tcti;

    @Option(names = "--approval", paramLabel = "POLICY", defaultValue = "auto",
            description = "The registrar's approval policy: auto, allowlist or manual. Default: ${DEFAULT-VALUE}.")
    String approval;

    @Option(names = "--vm", description = "The device in a virtual machine: the demo image on a disk (firmware image), "
            + "booted in qemu with swtpm as its TPM, reaching the services through qemu's restricted user network. "
            + "Runs as root (mmdebstrap, the first time); the device's keys are in its TPM.")
    boolean vm;

    @Option(names = "--arch", paramLabel = "amd64|arm64", defaultValue = "amd64", description = "With --vm: the machine. "
            + "arm64 is qemu's virt board with software keys (Debian's arm64 kernel has no driver for its TPM); it is "
            + "slow under emulation. Default: ${DEFAULT-VALUE}.")
    String arch;

    @Override
    public Integer call() throws Exception {
        Path base = dir != null ? dir : Home.root().resolve("target").resolve("demo");
        ImageBuilder.deleteTree(base);
        Pki pki = new Pki(base.resolve("pki"));
        section("PKI: the manufacturer's (MPR, IDevID CA, MASA) and the network owner's (domain CA, registrar)");
        int factoryPort = Ports.freeOr(8443);
        int masaPort = Ports.freeOr(8444);
        int registrarPort = Ports.freeOr(8445);
        // the device's view of the services: this machine, or (--vm) the address the guest reaches them at;
        // the MASA is the registrar's business, here
        String device = vm ? VirtualDevice.HOST : "127.0.0.1";
        String bind = vm ? "127.0.0.1" : null;
        pki.init("Avocado Demo Manufacturer", "https://" + device + ":" + factoryPort, "127.0.0.1:" + masaPort,
                "Avocado Demo Owner", "https://" + device + ":" + registrarPort);
        System.out.println("PKI:          " + pki.folder());
        // where the admin commands find them: registrar approve --pki target/demo/pki SERIAL works meanwhile
        String factoryDb = new DatabaseOptions.Factory().embedded(pki.folder());
        String masaDb = new DatabaseOptions.Masa().embedded(pki.folder());
        String registrarDb = new DatabaseOptions.Registrar().embedded(pki.folder());
        section("manufacturer: factory provisioning service and MASA; owner: registrar");
        try (FactoryService factory = FactoryCommand.start(pki.folder(), factoryDb, bind, null, null, false, List.of());
                MasaService masa = MasaCommand.start(pki.folder(), masaDb, null, null, MasaService.Ownership.FIRST_CLAIM,
                        Duration.ofDays(1));
                RegistrarService registrar = RegistrarCommand.start(pki.folder(), registrarDb, bind, null,
                        RegistrarService.Approval.parse(approval), List.of(), Duration.ofDays(365), !vm);
                // registrar approve --pki ... from another terminal reaches the running registrar here
                AdminChannel factoryAdmin = AdminForward.serve(pki.folder(), "factory");
                AdminChannel masaAdmin = AdminForward.serve(pki.folder(), "masa");
                AdminChannel registrarAdmin = AdminForward.serve(pki.folder(), "registrar")) {
            System.out.println("factory:      " + factory.describe());
            System.out.println("MASA:         " + masa.describe());
            System.out.println("registrar:    " + registrar.describe());
            // what the demo turns off to run in one command; each service refuses these unless told
            System.out.println("demo flags:   factory --open (IDevIDs for any client and unused serial: no station "
                    + "certificate, no allowlist); MASA --ownership first-claim (no sales record: the first domain to ask "
                    + "owns a serial)" + (RegistrarService.Approval.parse(approval) == RegistrarService.Approval.AUTO
                    ? "; registrar --approval auto (every device of the manufacturer joins)" : ""));
            // two stacks share the TPM (the ESYS key service and tpm2-pkcs11): through a resource manager
            String deviceTcti = tcti;
            TpmResourceManager resourceManager = null;
            java.util.Map<String, String> deviceEnv = java.util.Map.of();
            if (!vm && tcti != null && tcti.startsWith("swtpm:")) {
                section("TPM resource manager: tpm2-abrmd in front of " + tcti);
                resourceManager = TpmResourceManager.start(tcti, base.resolve("tpm-bus").resolve("bus"), "dev.avocado.Demo");
                deviceTcti = resourceManager.tcti();
                deviceEnv = resourceManager.environment();
                System.out.println("TPM:          " + deviceTcti + " (bus " + resourceManager.busAddress() + ")");
            }
            try (TpmResourceManager closing = resourceManager) {
                return device(pki, base, serial(), deviceTcti, deviceEnv, factoryPort, registrarPort, device, factoryDb,
                        masaDb, registrarDb);
            }
        }
    }

    private static String serial() {
        return String.format("AVO-%08X", ThreadLocalRandom.current().nextInt());
    }

    private int device(Pki pki, Path base, String serial, String tcti, java.util.Map<String, String> env, int factoryPort,
            int registrarPort, String device, String factoryDb, String masaDb, String registrarDb) throws Exception {
        section("firmware image");
        DeviceImage image = new ImageBuilder(pki, Home.partitions(), System.out).hotRedeploy(true).setsSystemClock(vm).build(base.resolve("image"), null, false,
                vm ? ("amd64".equals(arch) ? "tpm" : "soft") : tcti != null ? "tpm" : "soft",
                vm ? ("amd64".equals(arch) ? "device:/dev/tpmrm0" : null) : tcti, null, MprAnchoring.Content.CERTIFICATE, serial);
        // one machine: the pledge browses DNS-SD where the registrar announces itself, and knows the
        // registrar's address too, for machines where loopback carries no multicast
        DeviceConfig.onboarding(image, "https://" + device + ":" + registrarPort, vm ? null : "127.0.0.1", "avocado-demo",
                "radius.avocado-demo.example");
        System.out.println("serial:       " + serial);
        section("device boot: IDevID (O.1 to O.d), voucher (B, C.0 to C.10), LDevID (D.0 to D.7), EAP-TLS profile (E.1)");
        List<String> args = new ArrayList<>();
        if (batch) {
            args.addAll(List.of("--batch", "--until", "onboarded", "--timeout", "180", "--exec",
                    "idevid:show; brski:status; brski:voucher; brski:ldevid; brski:network; device:state; device:keys"));
        } else {
            System.out.println("Gogo shell: try device:state, device:events, idevid:show, brski:status, brski:voucher, "
                    + "brski:ldevid, brski:network, help; with --approval manual, approve from another terminal: tools/avocado "
                    + "registrar approve --pki " + pki.folder() + " " + serial + "; "
                    + "exit with 'exit' or Ctrl-D");
        }
        int code = vm ? VmDemo.run(image, arch, base, java.util.Map.of(factoryPort, factoryPort, registrarPort, registrarPort),
                batch, System.out) : deviceProcess(image, args, env).inheritIO().start().waitFor();
        if (batch) {
            section("manufacturer's device database");
            try (FactoryService.Admin admin = FactoryService.admin(factoryDb)) {
                admin.devices().forEach(System.out::println);
            }
            section("MASA voucher log");
            try (MasaService.Admin admin = MasaService.admin(masaDb)) {
                admin.vouchers(null).forEach(System.out::println);
            }
            section("registrar: pledges and LDevIDs");
            try (RegistrarService.Admin admin = RegistrarService.admin(registrarDb)) {
                admin.pledges().forEach(System.out::println);
                admin.ldevids(null).forEach(System.out::println);
            }
        }
        return code;
    }

    private static ProcessBuilder deviceProcess(DeviceImage image, List<String> args, java.util.Map<String, String> env) {
        ProcessBuilder pb = DeviceProcess.start(image, args);
        pb.environment().putAll(env);
        return pb;
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }
}
