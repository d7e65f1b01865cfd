/** BRSKI (RFC 8995) paths, media types and status reports. */
@Version("2.1.0")
@Export
package dev.avocado.protocol.brski;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
