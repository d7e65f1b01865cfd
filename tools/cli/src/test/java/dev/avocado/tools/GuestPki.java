package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PKI of a device in a virtual machine, and the servers it meets: the factory and the registrar
 * at the guest's forwarded address ({@link VirtualDevice#HOST}, each on a free port of this machine's
 * loopback), the MASA on loopback only, as only the registrar talks to it.
 */
final class GuestPki {

    final int factoryPort = Cli.freePort();
    final int masaPort = Cli.freePort();
    final int registrarPort = Cli.freePort();
    final Pki pki;

    GuestPki(Path folder) throws Exception {
        pki = new Pki(folder);
        pki.init("Acme", "https://" + VirtualDevice.HOST + ":" + factoryPort, "127.0.0.1:" + masaPort, "Example Owner",
                registrarUrl());
    }

    /** The registrar as the guest reaches it. */
    String registrarUrl() {
        return "https://" + VirtualDevice.HOST + ":" + registrarPort;
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
        Cli.Background b = Cli.start(args);
        b.awaitLine(l -> l.startsWith(ready), 60_000);
        return b;
    }
}
