package dev.avocado.brski.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Where B browses DNS-SD when the configuration names no address: on every link that is up, carries
 * multicast and is neither loopback nor point-to-point, its first IPv4 address and its first IPv6
 * one (link-local first), IPv4 links first: one browser per link and family, as more would claim the
 * same mDNS name and repeat each query. JmDNS's own default
 * starts from the host name's address and, when that is loopback, takes the first address it finds,
 * which on a device is often an IPv6 link-local one the registrar does not answer on, or another link.
 */
final class LinkAddresses {

    /** What decides whether a link is browsed. */
    record Link(String name, boolean up, boolean loopback, boolean multicast, boolean pointToPoint,
            List<InetAddress> addresses) {
    }

    private LinkAddresses() {
    }

    /** The addresses to browse on, of these links. */
    static List<InetAddress> of(List<Link> links) {
        List<InetAddress> out = new ArrayList<>();
        for (Link l : links) {
            if (l.up() && l.multicast() && !l.loopback() && !l.pointToPoint()) {
                l.addresses().stream().filter(a -> a instanceof Inet4Address).findFirst().ifPresent(out::add);
                l.addresses().stream().filter(a -> !(a instanceof Inet4Address))
                        .min(Comparator.comparing(a -> a.isLinkLocalAddress() ? 0 : 1)).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
        return out;
    }

    /** The addresses to browse on, of this machine's links. */
    static List<InetAddress> ofThisMachine() throws SocketException {
        List<Link> links = new ArrayList<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            try {
                links.add(new Link(n.getName(), n.isUp(), n.isLoopback(), n.supportsMulticast(), n.isPointToPoint(),
                        Collections.list(n.getInetAddresses())));
            } catch (SocketException e) {
                // a link that went away while we looked: not one to browse on
            }
        }
        return of(links);
    }
}
