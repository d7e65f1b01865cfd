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

    private WiredPort(String switchNs, String deviceNs, Path work) {
        this.switchNs = switchNs;
        this.deviceNs = deviceNs;
        this.work = work;
    }

    static WiredPort create(Path work) throws Exception {
        long pid = ProcessHandle.current().pid();
        // namespaces that killed runs left (named by the pid of a test JVM that is gone)
        for (String old : Cli.exec("ip", "netns", "list").output().lines().map(l -> l.split(" ")[0]).toList()) {
            if (old.matches("avo(sw|dev)-\\d+") && ProcessHandle.of(Long.parseLong(old.replaceAll("\\D", ""))).isEmpty()) {
                Cli.exec("ip", "netns", "del", old);
            }
        }
        WiredPort port = new WiredPort("avosw-" + pid, "avodev-" + pid, Files.createDirectories(work));
        try {
            ip("netns", "add", port.switchNs);
            ip("netns", "add", port.deviceNs);
            for (String ns : List.of(port.switchNs, port.deviceNs)) {
                ip("-n", ns, "link", "set", "lo", "up");
            }
            ip("-n", port.switchNs, "link", "add", SWITCH_END, "type", "veth", "peer", "name", DEVICE_END, "netns",
                    port.deviceNs);
            ip("-n", port.switchNs, "link", "set", SWITCH_END, "up");
            ip("-n", port.deviceNs, "link", "set", DEVICE_END, "up");
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
        start(List.of("ip", "netns", "exec", deviceNs, "wpa_supplicant", "-D", "wired", "-i", DEVICE_END, "-c",
                conf.toString(), "-d"), env, log);
        return log;
    }

    private void start(List<String> cmd, Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        running.add(pb.start());
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

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Cli.Run r = Cli.exec(cmd.toArray(String[]::new));
        assertEquals(String.join(" ", cmd) + ": " + r.output(), 0, r.code());
    }

    @Override
    public void close() throws Exception {
        for (Process p : running) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (String ns : List.of(switchNs, deviceNs)) {
            Cli.exec("ip", "netns", "del", ns);
        }
    }
}
