package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PKI of a device in a virtual machine, and the servers it meets: the factory and the registrar
 * at the address the guest reaches them at (by default {@link VirtualDevice#HOST}, forwarded to free
 * ports of this machine's loopback), the MASA on loopback only, as only the registrar talks to it.
 */
final class GuestPki {

    final int factoryPort = Cli.freePort();
    final int masaPort = Cli.freePort();
    final int registrarPort = Cli.freePort();
    final Pki pki;
    private final String host;

    GuestPki(Path folder) throws Exception {
        this(folder, VirtualDevice.HOST);
    }

    /** With the factory and the registrar at {@code host}, as on a link of the guest's own ({@link GuestNetwork}). */
    GuestPki(Path folder, String host) throws Exception {
        this.host = host;
        pki = new Pki(folder);
        pki.init("Acme", "https://" + host + ":" + factoryPort, "127.0.0.1:" + masaPort, "Example Owner", registrarUrl());
    }

    /** The registrar as the guest reaches it. */
    String registrarUrl() {
        return "https://" + host + ":" + registrarPort;
    }

    /** The PKI folder, as the command line takes it. */
    String folder() {
        return pki.folder().toString();
    }

    /** The guest's forwarded ports: the factory's and the registrar's, to the same ports here. */
    Map<Integer, Integer> forwards() {
        return Map.of(factoryPort, factoryPort, registrarPort, registrarPort);
    }

    /** A server started by the command line, once it printed the line that starts with {@code ready}. */
    static Cli.Background serve(String ready, String... args) throws Exception {
        return Cli.serve(null, ready, args);
    }
}
