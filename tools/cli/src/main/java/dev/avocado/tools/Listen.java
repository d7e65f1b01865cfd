package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.net.URI;

/**
 * Where a service listens: --bind and --port when given, else the address its certificates and the
 * devices name (an IP address is bound as it is; a DNS name means all addresses).
 */
record Listen(String bind, int port) {

    static Listen of(String address, String bind, Integer port) {
        URI uri = URI.create(address.contains("://") ? address : "https://" + address);
        String host = Pki.host(address);
        String listen = bind != null ? bind : host.matches("[0-9.]+|[0-9a-fA-F:]+") ? host : "0.0.0.0";
        return new Listen(listen, port != null ? port : uri.getPort() > 0 ? uri.getPort() : 443);
    }
}
