/** Device lifecycle: states, step names and the EventAdmin topics every bundle reports on. */
@Version("1.3.0")
@Export
package dev.avocado.api.lifecycle;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
