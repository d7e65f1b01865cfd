/** EST (RFC 7030) message formats, shared by the device (client) and the servers. */
@Version("1.0.1")
@Export
package dev.avocado.protocol.est;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
