package dev.avocado.brski.internal;

import dev.avocado.protocol.brski.Brski;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;
import org.osgi.service.log.Logger;

/**
 * B by DNS-SD (RFC 6763 over mDNS): browses for {@code _brski-registrar._tcp.local.} on the configured
 * address, or on every address of the device's links ({@link LinkAddresses}), and resolves each
 * registrar to an address and port.
 */
final class DnsSdFinder implements RegistrarFinder {

    private static final String TYPE = Brski.REGISTRAR_SERVICE;

    private final Logger log;
    private final String address;

    /**
     * @param address the interface address to browse on; empty: every address of the links that carry multicast
     */
    DnsSdFinder(Logger log, String address) {
        this.log = log;
        this.address = address;
    }

    @Override
    public List<URI> find(Duration time) throws InterruptedException {
        List<JmDNS> browsers = open();
        if (browsers.isEmpty()) {
            return List.of();
        }
        BlockingQueue<URI> resolved = new LinkedBlockingQueue<>();
        try {
            for (JmDNS mdns : browsers) {
                mdns.addServiceListener(TYPE, listener(mdns, resolved));
            }
            Set<URI> found = new LinkedHashSet<>();
            URI first = resolved.poll(time.toMillis(), TimeUnit.MILLISECONDS);
            if (first != null) {
                found.add(first);
                // others answering the same query come within moments
                URI next;
                while ((next = resolved.poll(300, TimeUnit.MILLISECONDS)) != null) {
                    found.add(next);
                }
            }
            return List.copyOf(found);
        } finally {
            // close() waits about 2 s for its goodbye packets: not on the onboarding thread
            Thread closer = new Thread(() -> {
                for (JmDNS mdns : browsers) {
                    try {
                        mdns.close();
                    } catch (IOException e) {
                        // nothing left to do with it
                    }
                }
            }, "avocado-mdns-close");
            closer.setDaemon(true);
            closer.start();
        }
    }

    /** A browser per address; one that cannot start is said and left out. */
    private List<JmDNS> open() {
        List<InetAddress> addresses;
        try {
            addresses = address.isBlank() ? LinkAddresses.ofThisMachine() : List.of(InetAddress.getByName(address));
        } catch (IOException e) {
            log.warn("B: DNS-SD has no address to browse on ({}): {}", address.isBlank() ? "the links" : address, e.getMessage());
            return List.of();
        }
        if (addresses.isEmpty()) {
            log.warn("B: DNS-SD has no link to browse on: none is up with multicast and an address");
        }
        List<JmDNS> browsers = new ArrayList<>();
        for (InetAddress a : addresses) {
            try {
                browsers.add(JmDNS.create(a, "avocado-pledge"));
            } catch (IOException | RuntimeException e) {
                log.warn("B: DNS-SD cannot start on {}: {}", a.getHostAddress(), e.getMessage());
            }
        }
        return browsers;
    }

    private static ServiceListener listener(JmDNS mdns, BlockingQueue<URI> resolved) {
        return new ServiceListener() {
            @Override
            public void serviceAdded(ServiceEvent event) {
                mdns.requestServiceInfo(event.getType(), event.getName(), 1000);
            }

            @Override
            public void serviceRemoved(ServiceEvent event) {
                // a registrar leaving during the browse: the attempt will find it gone
            }

            @Override
            public void serviceResolved(ServiceEvent event) {
                URI uri = uri(event.getInfo());
                if (uri != null) {
                    resolved.add(uri);
                }
            }
        };
    }

    /** The registrar's https:// base, once the answer has a port and an address. */
    private static URI uri(ServiceInfo info) {
        if (info == null || info.getPort() <= 0 || info.getInetAddresses().length == 0) {
            return null;
        }
        InetAddress a = info.getInet4Addresses().length > 0 ? info.getInet4Addresses()[0] : info.getInetAddresses()[0];
        String host = a instanceof Inet6Address ? "[" + a.getHostAddress().replaceAll("%.*", "") + "]" : a.getHostAddress();
        return URI.create("https://" + host + ":" + info.getPort());
    }
}
