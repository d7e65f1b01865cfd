package dev.avocado.brski.internal;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** B: finds registrars on the local network. */
interface RegistrarFinder {

    /** The DNS-SD service type of a registrar (RFC 8995 section 4.1.1). */
    String SERVICE = "_brski-registrar._tcp";

    /** The registrars answering within {@code time}, as https:// base URIs; empty when none. */
    List<URI> find(Duration time) throws InterruptedException;
}
