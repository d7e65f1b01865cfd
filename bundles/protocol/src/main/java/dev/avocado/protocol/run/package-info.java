/** A device service's one run at a time (the IDevID provisioner's, the pledge's), on its own thread, as an OSGi promise. */
@Version("1.0.0")
@Export
package dev.avocado.protocol.run;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
