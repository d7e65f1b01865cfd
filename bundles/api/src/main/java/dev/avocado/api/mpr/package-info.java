/** Manufacturer provisioning root (MPR): the device's read-only trust anchor and the provisioning address it names. */
@Version("1.0.0")
@Export
package dev.avocado.api.mpr;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
