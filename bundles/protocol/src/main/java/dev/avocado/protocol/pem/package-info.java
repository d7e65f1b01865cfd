/** PEM reading and writing of certificates and keys. */
@Version("1.0.0")
@Export
package dev.avocado.protocol.pem;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
