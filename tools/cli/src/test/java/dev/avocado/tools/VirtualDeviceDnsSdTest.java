package dev.avocado.tools;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * B by DNS-SD in the disk image: a device whose firmware names no registrar boots in qemu on a link of
 * its own (a tap device on a bridge in a network namespace, {@link GuestNetwork}; qemu's user network
 * carries no multicast), gets its address by DHCP, and finds the registrar by the mDNS answer the
 * registrar sends on that link. The factory, the MASA and the registrar run in the namespace, the
 * factory and the registrar on the bridge's address, the MASA on the namespace's loopback. One power-on.
 */
public class VirtualDeviceDnsSdTest {

    private static final String SERIAL = "AVO-VM000002";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theDeviceFindsTheRegistrarOnItsLinkByDnsSd() throws Exception {
        Path dir = tmp.getRoot().toPath();
        GuestPki guest = new GuestPki(dir.resolve("pki"), GuestNetwork.ADDRESS);
        String p = guest.folder();
        Path disk = dir.resolve("device.img");
        // no --registrar: the pledge browses DNS-SD (B)
        Cli.Run built = Cli.run("firmware", "image", "--pki", p, "--out", disk.toString(), "--serial", SERIAL,
                "--shell-tty", "ttyS1");
        assertEquals(built.output(), 0, built.code());
        try (GuestNetwork net = GuestNetwork.create(dir.resolve("net"))) {
            net.start("factory provisioning service: https://", "factory", "serve", "--pki", p, "--open",
                    "--bind", GuestNetwork.ADDRESS);
            net.start("MASA: https://", "masa", "serve", "--pki", p, "--ownership", "first-claim");
            Cli.Background registrar = net.start("registrar: https://", "registrar", "serve", "--pki", p, "--approval", "auto",
                    "--bind", GuestNetwork.ADDRESS);
            long started = System.nanoTime();
            try (VirtualDevice vm = VirtualDevice.start(new VirtualDevice.Boot(disk, dir.resolve("tpm"), java.util.Map.of(),
                    null, dir.resolve("boot"), 1024).inNamespace(net.name))) {
                String found = vm.awaitLine(0, l -> l.startsWith("[device] onboarding: B done"), 300_000);
                assertTrue(found, found.contains("registrar " + guest.registrarUrl()) && found.contains("(DNS-SD"));
                vm.awaitLine(0, l -> l.startsWith("[device] onboarded: LDevID"), 300_000);
                System.out.printf("power-on to onboarded, registrar found by DNS-SD: %.1f s%n",
                        (System.nanoTime() - started) / 1e9);
                // journald copies the device's warnings to the console: JmDNS started on the link
                String console = vm.console();
                assertFalse(console, console.contains("B: DNS-SD cannot start"));
                assertFalse(console, console.contains("Could not initialize the host network interface"));
                vm.powerOff(120_000);
            }
            // the registrar announced itself on that link, and it is the one the device asked
            assertTrue(registrar.output(), registrar.output().contains("DNS-SD _brski-registrar._tcp.local.")
                    && registrar.output().contains("on " + GuestNetwork.ADDRESS));
            try (Cli.Background asked = Cli.startIn(net.name, "registrar", "pledges", "--pki", p)) {
                Cli.Run pledges = asked.await(60);
                assertTrue(pledges.output(), pledges.output().contains(SERIAL));
            }
        }
    }
}
