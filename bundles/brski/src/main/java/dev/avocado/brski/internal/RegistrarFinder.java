package dev.avocado.brski.internal;

import dev.avocado.protocol.brski.Brski;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** B: finds registrars on the local network. */
interface RegistrarFinder {

    /** The DNS-SD service type of a registrar (RFC 8995 section 4.1.1), as people write it. */
    String SERVICE = Brski.REGISTRAR_SERVICE.substring(0, Brski.REGISTRAR_SERVICE.indexOf(".local."));

    /** The registrars answering within {@code time}, as https:// base URIs; empty when none. */
    List<URI> find(Duration time) throws InterruptedException;
}
