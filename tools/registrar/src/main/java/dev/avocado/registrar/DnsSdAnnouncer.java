package dev.avocado.registrar;

import dev.avocado.protocol.brski.Brski;
import java.io.IOException;
import java.net.InetAddress;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Announces the registrar with DNS-SD (RFC 8995 section 4.1.1): {@code _brski-registrar._tcp.local.} on one interface. */
final class DnsSdAnnouncer implements AutoCloseable {

    static final String TYPE = Brski.REGISTRAR_SERVICE;
    private static final Logger LOG = LoggerFactory.getLogger(DnsSdAnnouncer.class);

    private final JmDNS mdns;
    private final ServiceInfo info;
    private final String address;

    private DnsSdAnnouncer(JmDNS mdns, ServiceInfo info, String address) {
        this.mdns = mdns;
        this.info = info;
        this.address = address;
    }

    /**
     * @param bind the registrar's listening address; 0.0.0.0 announces on the host's default interface
     * @param instance the service instance name people see (the owner's name)
     */
    static DnsSdAnnouncer announce(String bind, int port, String instance) throws IOException {
        boolean any = bind == null || bind.equals("0.0.0.0") || bind.equals("::");
        JmDNS mdns = any ? JmDNS.create() : JmDNS.create(InetAddress.getByName(bind), "avocado-registrar");
        ServiceInfo info = ServiceInfo.create(TYPE, instance + " registrar", port, "path=" + Brski.PATH);
        mdns.registerService(info);
        String address = mdns.getInetAddress().getHostAddress();
        LOG.info("B: announced {} as {} on {}:{}", TYPE, info.getName(), address, port);
        return new DnsSdAnnouncer(mdns, info, address);
    }

    String describe() {
        return "DNS-SD " + TYPE + " '" + info.getName() + "' on " + address;
    }

    @Override
    public void close() {
        mdns.unregisterAllServices();
        // close() waits about 2 s for goodbye packets: let it finish in the background
        Thread closer = new Thread(() -> {
            try {
                mdns.close();
            } catch (IOException e) {
                LOG.debug("DNS-SD close: {}", e.getMessage());
            }
        }, "registrar-mdns-close");
        closer.setDaemon(true);
        closer.start();
    }
}
