/** IDevID provisioning (steps O.1 to O.8, O.c, O.d). */
@Version("1.0.0")
@Export
package dev.avocado.api.provisioning;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
