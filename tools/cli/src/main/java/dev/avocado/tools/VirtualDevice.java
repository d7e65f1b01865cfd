package dev.avocado.tools;

import dev.avocado.tpm.TpmCommandLog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A device image booted in a virtual machine: qemu (software emulation, no KVM needed) with swtpm as
 * its TPM (the guest's kernel sees a TPM TIS device: /dev/tpm0, /dev/tpmrm0), the disk on virtio,
 * the kernel's console on the first serial port (a file) and the device's Gogo shell, when the image
 * has one ({@code --shell-tty ttyS1}), on the second (a Unix socket this class reads and writes, and
 * copies to shell.log beside the console's log).
 * The guest's network is qemu's user network with {@code restrict=on}: it reaches nothing but the host
 * services on 127.0.0.1 forwarded to it at {@link #HOST} (guestfwd, one socat per connection). Or, for
 * a link that carries multicast (DNS-SD), a tap device in a network namespace: qemu runs in that
 * namespace and the tap ({@link #TAP}) is the guest's only link.
 */
final class VirtualDevice implements AutoCloseable {

    /** The address the guest reaches the forwarded host services at (in the PKI's URLs). */
    static final String HOST = "10.0.2.100";

    /** The tap device of the guest's link in a network namespace ({@link Boot#netns()}). */
    static final String TAP = "avotap0";

    /**
     * How to start one.
     *
     * @param arch amd64 (a PC with a TPM TIS device, the shell on ttyS1) or arm64 (qemu's virt board: no TPM,
     *        as Debian's arm64 kernel has no driver for it; the console on ttyAMA0, the shell on hvc0)
     * @param netns null: the restricted user network with {@code forwards}; else the network namespace whose
     *        tap device {@link #TAP} is the guest's link (forwards unused)
     */
    record Boot(String arch, Path disk, Path tpmState, Map<Integer, Integer> forwards, String rtcBase, Path work,
            int memoryMiB, String netns, Extra extra) {
        Boot(String arch, Path disk, Path tpmState, Map<Integer, Integer> forwards, String rtcBase, Path work,
                int memoryMiB, String netns) {
            this(arch, disk, tpmState, forwards, rtcBase, work, memoryMiB, netns, Extra.NONE);
        }

        Boot(String arch, Path disk, Path tpmState, Map<Integer, Integer> forwards, String rtcBase, Path work,
                int memoryMiB) {
            this(arch, disk, tpmState, forwards, rtcBase, work, memoryMiB, null);
        }

        /** The same machine with more on its kernel command line, a second disk, ports of the guest on the host. */
        Boot with(Extra more) {
            return new Boot(arch, disk, tpmState, forwards, rtcBase, work, memoryMiB, netns, more);
        }

        Boot(Path disk, Path tpmState, Map<Integer, Integer> forwards, String rtcBase, Path work, int memoryMiB) {
            this("amd64", disk, tpmState, forwards, rtcBase, work, memoryMiB);
        }

        /** The same machine on the tap device {@link #TAP} of network namespace {@code name}. */
        Boot inNamespace(String name) {
            return new Boot(arch, disk, tpmState, Map.of(), rtcBase, work, memoryMiB, name);
        }
    }

    /**
     * What a test adds to a machine: kernel command line arguments (systemd.run=..., systemd.mask=...), a
     * second disk (a file system image, /dev/vdb in the guest), and guest ports the host reaches at
     * 127.0.0.1 (host port to guest port; on the restricted user network, connections from the host only), and
     * one host thread for all virtual CPUs: JIT-compiled code in a guest JVM crashed now and then (SIGILL,
     * SIGSEGV in C1 code) under multi-threaded TCG, where one vCPU may run code another is patching.
     */
    record Extra(String append, Path secondDisk, Map<Integer, Integer> hostToGuest, boolean singleThreadedTcg) {
        static final Extra NONE = new Extra("", null, Map.of(), false);
    }

    /** The serial port of the device's Gogo shell, for an image of {@code arch}. */
    static String shellTty(String arch) {
        return "arm64".equals(arch) ? "hvc0" : "ttyS1";
    }

    private final Process swtpm;
    private final Process qemu;
    private final Path console;
    private final Path monitor;
    private final Path sockets;
    private final StringBuffer shell = new StringBuffer();
    private SocketChannel shellChannel;

    private Path commandLog;

    private VirtualDevice(Process swtpm, Process qemu, Path console, Path monitor, Path sockets) {
        this.sockets = sockets;
        this.swtpm = swtpm;
        this.qemu = qemu;
        this.console = console;
        this.monitor = monitor;
    }

    /** The commands the machine's TPM received since power-on, from swtpm's own log (TpmCommandLog). */
    List<Integer> tpmCommands() throws IOException {
        return TpmCommandLog.commands(commandLog);
    }

    /** Powers the machine on: swtpm first (the TPM keeps its state in {@code tpmState}), then qemu. */
    static VirtualDevice start(Boot boot) throws IOException, InterruptedException {
        Files.createDirectories(boot.tpmState());
        Files.createDirectories(boot.work());
        // the sockets in a short folder of their own: a Unix socket's path has at most 107 bytes
        Path sockets = Files.createTempDirectory("avocado-vm");
        Path tpmSocket = sockets.resolve("swtpm.sock");
        Path shellSocket = sockets.resolve("shell.sock");
        Path monitorSocket = sockets.resolve("monitor.sock");
        Path console = boot.work().resolve("console.log");
        for (Path p : List.of(tpmSocket, shellSocket, monitorSocket, console)) {
            Files.deleteIfExists(p);
        }
        boolean pc = !"arm64".equals(boot.arch());
        Process swtpm = null;
        if (pc) {
            List<String> tpmCommand = new java.util.ArrayList<>(List.of("swtpm", "socket", "--tpm2", "--tpmstate",
                    "dir=" + boot.tpmState(), "--ctrl", "type=unixio,path=" + tpmSocket, "--terminate"));
            // every command the guest's stacks send through the kernel's resource manager, for tpmCommands()
            tpmCommand.addAll(TpmCommandLog.swtpmOptions(boot.work().resolve("swtpm-commands.log")));
            swtpm = new ProcessBuilder(tpmCommand)
                    .redirectErrorStream(true).redirectOutput(boot.work().resolve("swtpm.log").toFile()).start();
            try {
                await(() -> Files.exists(tpmSocket), 10_000, "swtpm's socket " + tpmSocket);
            } catch (IOException | InterruptedException e) {
                swtpm.destroyForcibly();
                deleteSockets(sockets);
                throw e;
            }
        }
        Path boots = boot.disk().resolveSibling(boot.disk().getFileName() + ".boot");
        StringBuilder net = new StringBuilder();
        List<String> cmd = new ArrayList<>();
        if (boot.netns() == null) {
            net.append("user,id=net0,restrict=on");
            boot.forwards().forEach((guest, host) -> net.append(",guestfwd=tcp:").append(HOST).append(':').append(guest)
                    .append("-cmd:socat - TCP:127.0.0.1:").append(host));
            boot.extra().hostToGuest().forEach((host, guest) -> net.append(",hostfwd=tcp:127.0.0.1:").append(host).append("-:")
                    .append(guest));
        } else {
            net.append("tap,id=net0,ifname=").append(TAP).append(",script=no,downscript=no");
            cmd.addAll(List.of("ip", "netns", "exec", boot.netns()));
        }
        cmd.add(pc ? "qemu-system-x86_64" : "qemu-system-aarch64");
        if (!pc) {
            cmd.addAll(List.of("-M", "virt", "-cpu", "cortex-a72"));
        }
        cmd.addAll(List.of("-accel", boot.extra().singleThreadedTcg() ? "tcg,thread=single" : "tcg,thread=multi", "-smp", "2",
                "-m", String.valueOf(boot.memoryMiB()), "-display", "none", "-no-reboot",
                "-kernel", boots.resolve("vmlinuz").toString(), "-initrd", boots.resolve("initrd.img").toString(),
                "-append", "root=PARTLABEL=avocado-p1 console=" + (pc ? "ttyS0" : "ttyAMA0") + " panic=-1"
                        + (boot.extra().append().isEmpty() ? "" : " " + boot.extra().append()),
                "-drive", "file=" + boot.disk() + ",format=raw,if=none,id=disk0", "-device", "virtio-blk-pci,drive=disk0",
                "-netdev", net.toString(), "-device", "virtio-net-pci,netdev=net0",
                "-serial", "file:" + console,
                "-monitor", "unix:" + monitorSocket + ",server=on,wait=off"));
        String shellPort = "socket,id=shell,path=" + shellSocket + ",server=on,wait=off";
        if (pc) {
            cmd.addAll(List.of("-chardev", "socket,id=chrtpm,path=" + tpmSocket, "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                    "-device", "tpm-tis,tpmdev=tpm0", "-chardev", shellPort, "-serial", "chardev:shell"));
        } else {
            cmd.addAll(List.of("-chardev", shellPort, "-device", "virtio-serial-pci", "-device", "virtconsole,chardev=shell"));
        }
        if (boot.extra().secondDisk() != null) {
            cmd.addAll(List.of("-drive", "file=" + boot.extra().secondDisk() + ",format=raw,if=none,id=disk1", "-device",
                    "virtio-blk-pci,drive=disk1"));
        }
        if (boot.rtcBase() != null) {
            cmd.addAll(List.of("-rtc", "base=" + boot.rtcBase()));
        }
        Process qemu;
        try {
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(boot.work().resolve("qemu.log").toFile()).start();
        } catch (IOException e) {
            if (swtpm != null) {
                swtpm.destroyForcibly();
            }
            deleteSockets(sockets);
            throw e;
        }
        VirtualDevice vm = new VirtualDevice(swtpm, qemu, console, monitorSocket, sockets);
        vm.commandLog = boot.work().resolve("swtpm-commands.log");
        try {
            await(() -> Files.exists(shellSocket) || !qemu.isAlive(), 20_000, "qemu's serial socket " + shellSocket);
            if (!qemu.isAlive()) {
                throw new IOException("qemu did not start: " + Files.readString(boot.work().resolve("qemu.log")));
            }
            vm.attach(shellSocket, boot.work().resolve("shell.log"));
        } catch (IOException | RuntimeException e) {
            vm.close();
            throw e;
        }
        return vm;
    }

    private void attach(Path socket, Path log) throws IOException {
        OutputStream copy = Files.newOutputStream(log);
        shellChannel = SocketChannel.open(StandardProtocolFamily.UNIX);
        shellChannel.connect(UnixDomainSocketAddress.of(socket));
        // the channel itself, not Channels' streams: those hold one lock for reading and writing, so a
        // command typed while the reader waits would wait for the device to print something first
        Thread reader = new Thread(() -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
            try {
                while (shellChannel.read(buf.clear()) > 0) {
                    int n = buf.position();
                    copy.write(buf.array(), 0, n);
                    copy.flush();
                    synchronized (shell) {
                        shell.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8).replace("\r", ""));
                        shell.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the machine is off
            } finally {
                try {
                    copy.close();
                } catch (IOException e) {
                    // nothing more to keep
                }
            }
        }, "vm-shell");
        reader.setDaemon(true);
        reader.start();
    }

    /** Everything the device's shell port printed so far. */
    String shell() {
        return shell.toString();
    }

    /** What the kernel and systemd printed on the console so far. */
    String console() throws IOException {
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    }

    /** Types a command into the device's Gogo shell. */
    void type(String command) throws IOException {
        java.nio.ByteBuffer line = java.nio.ByteBuffer.wrap((command + "\r").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            shellChannel.write(line);
        }
    }

    /**
     * Waits until a line the shell printed after {@code from} (an offset into {@link #shell()}) matches.
     *
     * @return the line
     */
    String awaitLine(int from, Predicate<String> wanted, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (shell) {
            while (true) {
                String seen = shell.length() > from ? shell.substring(from) : "";
                // whole lines only: the serial port delivers a line in pieces
                for (String line : seen.substring(0, seen.lastIndexOf('\n') + 1).split("\n")) {
                    // the shell's prompt comes first on the line where the device prints between commands
                    String text = line.replaceFirst("^(g! ?)+", "");
                    if (wanted.test(text)) {
                        return text;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                String failedBoot = failedBoot();
                if (failedBoot != null) {
                    throw new IllegalStateException("the machine did not boot: " + failedBoot);
                }
                if (left <= 0 || !qemu.isAlive()) {
                    throw new IllegalStateException("the device's shell printed no such line within " + millis + " ms"
                            + (qemu.isAlive() ? "" : " (the machine is off)") + "; it printed:\n" + seen);
                }
                shell.wait(Math.min(left, 200));
            }
        }
    }

    /**
     * Waits until the shell prompts again after {@code from} (past the typed command's echo): the
     * command's output is complete. The prompt ends no line, so {@link #awaitLine} does not see it.
     */
    void awaitPrompt(int from, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (shell) {
            while (true) {
                String seen = shell.length() > from ? shell.substring(from) : "";
                int echo = seen.indexOf('\n');
                if (echo >= 0 && seen.indexOf("g! ", echo) >= 0) {
                    return;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || !qemu.isAlive()) {
                    throw new IllegalStateException("the device's shell did not prompt again within " + millis
                            + " ms; it printed:\n" + seen);
                }
                shell.wait(Math.min(left, 200));
            }
        }
    }

    /** Waits until the console (the kernel's, with systemd's journal) shows {@code text}; returns that line. */
    String awaitConsole(String text, long millis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            for (String line : console().split("\n")) {
                if (line.contains(text)) {
                    return line.trim();
                }
            }
            if (System.currentTimeMillis() > deadline || !qemu.isAlive()) {
                throw new IllegalStateException("the console showed no '" + text + "' within " + millis + " ms");
            }
            Thread.sleep(200);
        }
    }

    /** What the console says when systemd gave up on the boot (its emergency mode), or null. */
    private String failedBoot() {
        try {
            String c = console();
            int at = c.indexOf("You are in emergency mode");
            if (at < 0) {
                return null;
            }
            StringBuilder why = new StringBuilder("systemd is in emergency mode");
            for (String line : c.split("\n")) {
                if (line.contains("Dependency failed") || line.contains("Failed to") || line.contains("failed with result")) {
                    why.append("\n  ").append(line.trim());
                }
            }
            return why.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** The position in {@link #shell()} from which the next output counts. */
    int mark() {
        return shell.length();
    }

    /** Presses the power button (ACPI): systemd shuts down; then qemu and swtpm end. */
    void powerOff(long millis) throws IOException, InterruptedException {
        try (SocketChannel mon = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            mon.connect(UnixDomainSocketAddress.of(monitor));
            Channels.newOutputStream(mon).write("system_powerdown\n".getBytes(StandardCharsets.US_ASCII));
            if (!qemu.waitFor(millis, TimeUnit.MILLISECONDS)) {
                qemu.destroyForcibly().waitFor();
            }
        } catch (IOException e) {
            qemu.destroyForcibly().waitFor();
        }
        if (swtpm != null) {
            swtpm.waitFor(10, TimeUnit.SECONDS);
        }
        close();
    }

    boolean running() {
        return qemu.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : java.util.Arrays.asList(qemu, swtpm)) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
        try {
            if (shellChannel != null) {
                shellChannel.close();
            }
        } catch (IOException e) {
            // closed already
        }
        deleteSockets(sockets);
    }

    /** The folder of the machine's Unix sockets, once nothing listens on them. */
    private static void deleteSockets(Path sockets) {
        try (var files = Files.list(sockets)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(sockets);
        } catch (IOException e) {
            // a temporary folder: what is left goes with the next clean-up of /tmp
        }
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void await(Check check, long millis, String what) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!check.ok()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException(what + " did not appear within " + millis + " ms");
            }
            Thread.sleep(50);
        }
    }
}
