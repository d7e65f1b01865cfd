/** File writes that never leave half a file behind. */
@Version("1.1.0")
@Export
package dev.avocado.protocol.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
