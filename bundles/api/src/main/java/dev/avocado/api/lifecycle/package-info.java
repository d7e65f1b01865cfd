/**
 * Device lifecycle: states, steps and their outcomes, the typed listener and reboot the launcher shares
 * with the bundles (the system bundle exports this package), and the EventAdmin topics every bundle
 * reports on. 2.0: step records apart from state changes; the service properties the launcher used to
 * parse are gone.
 */
@Version("2.0.0")
@Export
package dev.avocado.api.lifecycle;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
