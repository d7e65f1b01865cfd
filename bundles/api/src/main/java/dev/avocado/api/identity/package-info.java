/** Device identity: the IDevID (write-once) and LDevID certificates kept on the data partition. */
@Version("1.0.0")
@Export
package dev.avocado.api.identity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
