/** The device's HTTPS client (the JDK's, on a BCJSSE context), for EST, BRSKI and the factory record, and its one retry loop. */
@Version("1.3.0")
@Export
package dev.avocado.protocol.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
