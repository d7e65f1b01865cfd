package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code demo --vm}: the demo's device image on a disk, booted in qemu with swtpm as its TPM. What the
 * device's Gogo shell (its second serial port) prints is shown as it comes; with --batch the demo's
 * commands are typed once the device is onboarded, else each line typed here goes to the shell until
 * {@code exit}, which powers the machine off.
 */
final class VmDemo {

    /** What --batch types into the shell once the device is onboarded. */
    static final List<String> BATCH = List.of("idevid:show", "brski:status", "brski:voucher", "brski:ldevid",
            "brski:network", "device:state", "device:partitions", "device:clock", "device:memory", "tpm:handles");

    private VmDemo() {
    }

    /** @return 0 when the device got onboarded (with --batch), else what the shell session ended with */
    static int run(DeviceImage image, String arch, Path base, Map<Integer, Integer> forwards, boolean batch, PrintStream out)
            throws Exception {
        Path disk = base.resolve("device.img");
        boolean tpm = "amd64".equals(arch);
        DiskImage.inCheckout(out).build(image.root(), disk,
                new DiskImage.Options(arch, DiskImage.Board.QEMU, tpm ? "tpm" : "soft", VirtualDevice.shellTty(arch)));
        out.println("virtual machine: qemu " + arch + " (software emulation)" + (tpm ? " with swtpm as its TPM"
                : ", software keys (Debian's arm64 kernel has no driver for qemu's TPM)") + "; the guest reaches only "
                + forwards.keySet() + " at " + VirtualDevice.HOST + " (forwarded to 127.0.0.1); console log "
                + base.resolve("vm").resolve("console.log"));
        long started = System.nanoTime();
        try (VirtualDevice vm = VirtualDevice.start(new VirtualDevice.Boot(arch, disk, base.resolve("tpm"), forwards, null,
                base.resolve("vm"), 1024))) {
            Thread echo = new Thread(() -> follow(vm, out), "vm-echo");
            echo.setDaemon(true);
            echo.start();
            if (batch) {
                String end = vm.awaitLine(0, l -> l.startsWith("[device] onboarded") || l.startsWith("[device] failed"), 1_800_000);
                out.printf("%n== power-on to %s: %.1f s%n", end.startsWith("[device] onboarded") ? "onboarded" : "failed",
                        (System.nanoTime() - started) / 1e9);
                for (String command : BATCH) {
                    int at = vm.mark();
                    vm.type(command);
                    vm.awaitPrompt(at, 120_000);
                }
                Thread.sleep(500);
                vm.powerOff(120_000);
                return end.startsWith("[device] onboarded") ? 0 : 1;
            }
            out.println("Gogo shell of the device in the virtual machine: type commands here (device:state, "
                    + "device:partitions, device:clock, brski:status, ...); 'exit' powers the machine off");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; vm.running() && (line = in.readLine()) != null; ) {
                if (line.trim().equals("exit")) {
                    break;
                }
                vm.type(line);
            }
            vm.powerOff(120_000);
            return 0;
        }
    }

    /** Prints what the shell prints, as it comes, until the machine is off. */
    private static void follow(VirtualDevice vm, PrintStream out) {
        int shown = 0;
        while (true) {
            String all = vm.shell();
            if (all.length() > shown) {
                out.print(all.substring(shown));
                out.flush();
                shown = all.length();
            } else if (!vm.running()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
