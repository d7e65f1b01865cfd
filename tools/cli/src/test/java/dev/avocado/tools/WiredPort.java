package dev.avocado.tools;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A wired IEEE 802.1X port of our own: two network namespaces joined by a veth pair. In the switch's
 * namespace, hostapd with its wired driver is the authenticator on one end, with FreeRADIUS behind it
 * on that namespace's loopback; in the device's namespace, wpa_supplicant with its wired driver is the
 * supplicant on the other end. EAPOL frames cross the veth as they cross a cable; nothing leaves the two
 * namespaces. Closing stops the programs and deletes the namespaces (and the veth with them).
 */
final class WiredPort implements AutoCloseable {

    /** The authenticator's end of the cable (in the switch's namespace) and the device's. */
    static final String SWITCH_END = "avosw0";
    static final String DEVICE_END = "avodev0";

    final String switchNs;
    final String deviceNs;
    private final Path work;
    private final List<Process> running = new ArrayList<>();
    private Process supplicant;
    /** Whether udev's and NetworkManager's run folders were there before this port made them. */
    private boolean udevBefore = true;
    private boolean nmBefore = true;

    private WiredPort(String switchNs, String deviceNs, Path work) {
        this.switchNs = switchNs;
        this.deviceNs = deviceNs;
        this.work = work;
    }

    static WiredPort create(Path work) throws Exception {
        long pid = ProcessHandle.current().pid();
        Cli.deleteStaleNamespaces("avosw|avodev");
        WiredPort port = new WiredPort("avosw-" + pid, "avodev-" + pid, Files.createDirectories(work));
        try {
            Cli.ip("netns", "add", port.switchNs);
            Cli.ip("netns", "add", port.deviceNs);
            for (String ns : List.of(port.switchNs, port.deviceNs)) {
                Cli.ip("-n", ns, "link", "set", "lo", "up");
            }
            Cli.ip("-n", port.switchNs, "link", "add", SWITCH_END, "type", "veth", "peer", "name", DEVICE_END, "netns",
                    port.deviceNs);
            Cli.ip("-n", port.switchNs, "link", "set", SWITCH_END, "up");
            Cli.ip("-n", port.deviceNs, "link", "set", DEVICE_END, "up");
        } catch (Exception | AssertionError e) {
            port.close();
            throw e;
        }
        return port;
    }

    /**
     * hostapd as the port's authenticator (wired driver, IEEE 802.1X, EAPOL v2 to the group address),
     * asking the RADIUS server at 127.0.0.1:{@code radiusPort} of the switch's namespace; returns once it
     * listens on the port.
     */
    Path authenticator(int radiusPort, String secret) throws Exception {
        Path conf = work.resolve("hostapd.conf");
        Files.writeString(conf, String.join("\n",
                "# written by WiredPort.java (Avocado tests): an IEEE 802.1X authenticator on a wired port",
                "interface=" + SWITCH_END,
                "driver=wired",
                "ieee8021x=1",
                "eapol_version=2",
                "use_pae_group_addr=1",
                "eap_reauth_period=0",
                "own_ip_addr=127.0.0.1",
                "auth_server_addr=127.0.0.1",
                "auth_server_port=" + radiusPort,
                "auth_server_shared_secret=" + secret,
                "logger_stdout=-1",
                "logger_stdout_level=0",
                ""));
        Path log = work.resolve("hostapd.log");
        start(List.of("ip", "netns", "exec", switchNs, "hostapd", "-d", conf.toString()), Map.of(), log);
        await(log, l -> l.contains(SWITCH_END + ": interface state") && l.contains("ENABLED")
                || l.contains("Interface initialized") || l.contains("AP-ENABLED"), 20, "hostapd to start");
        return log;
    }

    /** wpa_supplicant on the device's end with this configuration (wired driver), its environment added. */
    Path supplicant(Path conf, Map<String, String> env) throws Exception {
        Path log = work.resolve("wpa_supplicant.log");
        supplicant = start(List.of("ip", "netns", "exec", deviceNs, "wpa_supplicant", "-D", "wired", "-i", DEVICE_END, "-c",
                conf.toString(), "-d"), env, log);
        return log;
    }

    /** Stops the supplicant {@link #supplicant} started (the port goes back to unauthorized). */
    void stopSupplicant() throws InterruptedException {
        stop(supplicant);
    }

    /**
     * A real NetworkManager on the device's end with this keyfile as its only connection: NetworkManager
     * and wpa_supplicant (its D-Bus interface) on a system bus of their own, udev in the device's
     * namespace (NetworkManager manages only devices udev initialized), NetworkManager told to manage the
     * veth (Debian's udev rules leave veth devices to others) and to touch no DNS configuration. It then
     * activates the keyfile's connection by itself (autoconnect). Returns wpa_supplicant's log; the
     * environment is the key's (tpm2-pkcs11's store, TCTI and resource manager bus).
     */
    Path networkManager(Path keyfile, Map<String, String> env) throws Exception {
        Path connections = Files.createDirectories(work.resolve("nm-connections"));
        Path copy = connections.resolve(keyfile.getFileName());
        Files.copy(keyfile, copy);
        Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path bus = work.resolve("system_bus");
        Path busConf = work.resolve("system-bus.conf");
        // a bus of our own, open to everyone on it (which a mere "allow send_destination" is not: replies stall)
        Files.writeString(busConf, String.join("\n",
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"",
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">",
                "<busconfig>",
                "  <type>system</type>",
                "  <listen>unix:path=" + bus + "</listen>",
                "  <auth>EXTERNAL</auth>",
                "  <policy context=\"default\">",
                "    <allow user=\"*\"/>",
                "    <allow own=\"*\"/>",
                "    <allow send_destination=\"*\" eavesdrop=\"true\"/>",
                "    <allow eavesdrop=\"true\"/>",
                "  </policy>",
                "</busconfig>", ""));
        start(List.of("dbus-daemon", "--config-file=" + busConf, "--nofork"), Map.of(), work.resolve("system-bus.log"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(bus) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        Map<String, String> busEnv = Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + bus);
        udevBefore = Files.exists(Path.of("/run/udev"));
        nmBefore = Files.exists(Path.of("/run/NetworkManager"));
        start(List.of("ip", "netns", "exec", deviceNs, "/lib/systemd/systemd-udevd"), Map.of(), work.resolve("udevd.log"));
        Thread.sleep(500);
        Cli.exec("ip", "netns", "exec", deviceNs, "udevadm", "trigger", "--subsystem-match=net", "--action=add");
        Cli.exec("ip", "netns", "exec", deviceNs, "udevadm", "settle", "-t", "10");
        Map<String, String> supplicantEnv = new java.util.HashMap<>(env);
        supplicantEnv.putAll(busEnv);
        Path log = work.resolve("wpa_supplicant-nm.log");
        start(List.of("ip", "netns", "exec", deviceNs, "wpa_supplicant", "-u", "-d"), supplicantEnv, log);
        Path nmConf = work.resolve("NetworkManager.conf");
        Files.writeString(nmConf, "[main]\nplugins=keyfile\nno-auto-default=*\ndns=none\nrc-manager=unmanaged\n"
                + "systemd-resolved=false\n[keyfile]\npath=" + connections + "\n[logging]\nlevel=INFO\n");
        // --debug: NetworkManager logs to its standard error, into NetworkManager.log, not to syslog
        start(List.of("ip", "netns", "exec", deviceNs, "NetworkManager", "--no-daemon", "--debug", "--config=" + nmConf,
                "--state-file=" + work.resolve("NetworkManager.state"), "--pid-file=" + work.resolve("NetworkManager.pid")),
                busEnv, work.resolve("NetworkManager.log"));
        deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (nmcli("device", "set", DEVICE_END, "managed", "yes").code() == 0) {
                return log;
            }
            Thread.sleep(200);
        }
        List<String> nmLog = Files.readAllLines(work.resolve("NetworkManager.log"));
        throw new AssertionError("NetworkManager did not take " + DEVICE_END + " (nmcli: "
                + nmcli("device", "set", DEVICE_END, "managed", "yes").output().strip() + "):\n"
                + String.join("\n", nmLog.subList(Math.max(0, nmLog.size() - 40), nmLog.size())));
    }

    /** nmcli against the NetworkManager {@link #networkManager} started. */
    Cli.Run nmcli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + work.resolve("system_bus"),
                "nmcli"));
        cmd.addAll(List.of(args));
        return Cli.exec(cmd.toArray(String[]::new));
    }

    private Process start(List<String> cmd, Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        running.add(p);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Waits until a line of the log matches; fails with the log's tail. */
    static String await(Path log, Predicate<String> line, int seconds, String what) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            if (text.lines().anyMatch(line)) {
                return text;
            }
            Thread.sleep(100);
        }
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
        List<String> lines = text.lines().toList();
        throw new AssertionError("no line for " + what + " within " + seconds + " s in " + log + ":\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }


    @Override
    public void close() throws Exception {
        List<Process> last = new ArrayList<>(running);
        java.util.Collections.reverse(last);
        for (Process p : last) {
            stop(p);
        }
        for (String ns : List.of(switchNs, deviceNs)) {
            Cli.exec("ip", "netns", "del", ns);
        }
        // what udev and NetworkManager left in /run, when this port made it
        if (!udevBefore) {
            ImageBuilder.deleteTree(Path.of("/run/udev"));
        }
        if (!nmBefore) {
            ImageBuilder.deleteTree(Path.of("/run/NetworkManager"));
        }
    }
}
