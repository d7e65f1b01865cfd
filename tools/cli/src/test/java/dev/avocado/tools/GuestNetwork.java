package dev.avocado.tools;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A link of our own for a virtual device: a network namespace with a bridge at {@link #ADDRESS}/24,
 * the guest's tap device {@link VirtualDevice#TAP} on it, and a DHCP server (busybox udhcpd) that gives
 * the guest an address. Multicast (DNS-SD) crosses it, unlike qemu's user network; nothing leaves it:
 * the namespace has no route out. The servers the guest meets run inside it ({@link #start}). Closing
 * stops what runs in it and deletes the namespace.
 */
final class GuestNetwork implements AutoCloseable {

    /** The bridge's address: the servers' on this link. */
    static final String ADDRESS = "10.77.0.1";

    final String name;
    private final List<Cli.Background> running = new ArrayList<>();

    private GuestNetwork(String name) {
        this.name = name;
    }

    static GuestNetwork create(Path work) throws Exception {
        Cli.deleteStaleNamespaces("avocado");
        GuestNetwork net = new GuestNetwork("avocado-" + ProcessHandle.current().pid());
        Cli.ip("netns", "add", net.name);
        try {
            Cli.ip("-n", net.name, "link", "set", "lo", "up");
            Cli.ip("-n", net.name, "link", "add", "br0", "type", "bridge");
            Cli.ip("-n", net.name, "addr", "add", ADDRESS + "/24", "dev", "br0");
            Cli.ip("-n", net.name, "link", "set", "br0", "up");
            Cli.ip("-n", net.name, "tuntap", "add", "dev", VirtualDevice.TAP, "mode", "tap");
            Cli.ip("-n", net.name, "link", "set", VirtualDevice.TAP, "master", "br0", "up");
            Files.createDirectories(work);
            Path leases = work.resolve("udhcpd.leases");
            Files.writeString(leases, "");
            Path conf = work.resolve("udhcpd.conf");
            Files.writeString(conf, "start 10.77.0.10\nend 10.77.0.20\ninterface br0\nlease_file " + leases
                    + "\npidfile " + work.resolve("udhcpd.pid") + "\noption subnet 255.255.255.0\n");
            net.running.add(new Cli.Background(new ProcessBuilder("ip", "netns", "exec", net.name, "busybox", "udhcpd", "-f",
                    conf.toString()).redirectErrorStream(true).start()));
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** The command line's {@code args} in this namespace, once it printed a line that starts with {@code ready}. */
    Cli.Background start(String ready, String... args) throws Exception {
        Cli.Background b = Cli.serve(name, ready, args);
        running.add(b);
        return b;
    }


    @Override
    public void close() throws Exception {
        try {
            for (Cli.Background b : running) {
                b.close();
            }
        } finally {
            Cli.exec("ip", "netns", "del", name);
        }
    }
}
