/** TLS contexts on BouncyCastle (BCJSSE), for device and servers alike. */
@Version("1.3.0")
@Export
package dev.avocado.protocol.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
