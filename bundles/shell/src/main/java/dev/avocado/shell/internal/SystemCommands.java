package dev.avocado.shell.internal;

import dev.avocado.api.lifecycle.Partitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code device:partitions}: p1, p2 and data as the device finds them, each tried with a write;
 * {@code device:memory}: what the device's JVM holds.
 */
@Component(service = SystemCommands.class, property = {"osgi.command.scope=device",
    "osgi.command.function=partitions", "osgi.command.function=memory"})
public class SystemCommands {

    private final BundleContext context;

    @Activate
    public SystemCommands(BundleContext context) {
        this.context = context;
    }

    @Descriptor("show p1, p2 and data: file system, size, read-only or not, and whether a write really fails")
    public String partitions() {
        StringBuilder b = new StringBuilder();
        for (String[] p : new String[][] {{"p1", Partitions.P1}, {"p2", Partitions.P2}, {"data", Partitions.DATA}}) {
            b.append(PartitionProbe.describe(p[0], Partitions.folder(context, null, p[1], ""))).append('\n');
        }
        return b.toString();
    }

    @Descriptor("show the device JVM's memory: resident set (now and peak, from /proc/self/status) and Java heap")
    public String memory() {
        Runtime rt = Runtime.getRuntime();
        StringBuilder b = new StringBuilder();
        Path status = Path.of("/proc/self/status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                    b.append(line.replaceAll("\\s+", " ")).append('\n');
                }
            }
        } catch (IOException e) {
            b.append("resident set: unknown (").append(status).append(": ").append(e.getMessage()).append(")\n");
        }
        long mib = 1024 * 1024;
        b.append("heap: ").append((rt.totalMemory() - rt.freeMemory()) / mib).append(" MiB used of ")
                .append(rt.totalMemory() / mib).append(" MiB (at most ").append(rt.maxMemory() / mib).append(" MiB)\n");
        return b.toString();
    }
}
