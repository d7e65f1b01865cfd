package dev.avocado.tools;

import dev.avocado.launcher.DeviceImage;
import java.util.ArrayList;
import java.util.List;

/** Starts a device image the way the device does: its own p1/bin/avocado-device, with this JVM's java. */
final class DeviceProcess {

    private DeviceProcess() {
    }

    static ProcessBuilder start(DeviceImage image, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(image.p1().resolve("bin").resolve("avocado-device").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA", ProcessHandle.current().info().command().orElse("java"));
        return pb;
    }
}
