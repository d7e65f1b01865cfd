/** Onboarding onto the operational network (steps B, C.0 to C.10, D.0 to D.7, E.1). */
@Version("1.0.0")
@Export
package dev.avocado.api.onboarding;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
