/** DPP bootstrapping URIs (Wi-Fi Easy Connect): how a device key is announced for onboarding. */
@Version("1.0.0")
@Export
package dev.avocado.protocol.dpp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
