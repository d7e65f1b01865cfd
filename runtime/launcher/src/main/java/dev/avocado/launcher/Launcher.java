package dev.avocado.launcher;

import dev.avocado.api.lifecycle.DeviceState;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Boots an Avocado device image: {@code java -jar p1/launcher/avocado-launcher.jar}. */
@Command(name = "avocado-device", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boots an Avocado device image into Apache Felix. Partition one is checked against its "
                + "signed manifest first, at every boot and reboot.")
public final class Launcher implements Callable<Integer> {

    @Option(names = "--image", paramLabel = "IMAGE",
            description = "The device image folder (p1, p2, data). Default: the image this launcher is in.")
    Path image;

    @Option(names = "--batch", description = "No shell: print each state transition and exit when the state is reached.")
    boolean batch;

    @Option(names = "--daemon", description = "No shell: run until stopped (the systemd unit uses this).")
    boolean daemon;

    @Option(names = "--until", paramLabel = "STATE",
            description = "With --batch: the state to wait for (booting, unprovisioned, provisioning, provisioned, "
                    + "onboarding, onboarded, failed); a later state counts too. Default: the state the device "
                    + "settles in by itself.")
    String until;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "With --batch: give up after this long (exit 3). Default: ${DEFAULT-VALUE}.")
    int timeout;

    @Option(names = "--exec", paramLabel = "COMMANDS",
            description = "Gogo commands to run once booted, separated by ';'; prints their output and exits.")
    String exec;

    @Option(names = "-D", paramLabel = "NAME=VALUE", description = "An extra framework property.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        DeviceState target = null;
        if (until != null) {
            try {
                target = DeviceState.parse(until);
            } catch (IllegalArgumentException e) {
                System.out.println("avocado: --until: " + e.getMessage());
                return 2;
            }
        }
        DeviceImage device;
        try {
            device = DeviceImage.at(image != null ? image : ownImage()).check();
        } catch (FirmwareException e) {
            System.out.println("avocado: cannot boot: " + e.getMessage());
            return Device.FAILED;
        }
        if (batch && daemon) {
            System.out.println("avocado: --batch and --daemon exclude each other");
            return 2;
        }
        Device.Mode mode = batch || exec != null ? Device.Mode.BATCH : daemon ? Device.Mode.DAEMON : Device.Mode.SHELL;
        Device.Options options = new Device.Options(mode, target, timeout * 1000L, exec, properties);
        return new Device(device, options, System.out).run();
    }

    /** The image this launcher runs from: its jar is p1/launcher/avocado-launcher.jar. */
    private static Path ownImage() {
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** BCJSSE logs every connection at INFO through java.util.logging; the device log is enough (held: JUL keeps loggers weakly). */
    private static final java.util.logging.Logger BC_TLS = java.util.logging.Logger.getLogger("org.bouncycastle");

    public static void main(String[] args) {
        BC_TLS.setLevel(java.util.logging.Level.SEVERE);
        int code = new CommandLine(new Launcher()).execute(args);
        System.out.flush();
        System.exit(code);
    }
}
