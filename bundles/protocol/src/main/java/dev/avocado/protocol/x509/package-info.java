/** Building and reading X.509 certificates: names, extensions, the object identifiers this project uses. */
@Version("1.5.0")
@Export
package dev.avocado.protocol.x509;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
