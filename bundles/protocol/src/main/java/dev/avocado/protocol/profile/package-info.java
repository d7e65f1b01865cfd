/** Certificate profiles shared by device and servers: what an MPR and an IDevID must look like. */
@Version("1.2.0")
@Export
package dev.avocado.protocol.profile;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
