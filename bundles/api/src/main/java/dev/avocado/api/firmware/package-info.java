/**
 * How firmware is signed: partition one's and partition two's manifests and every redeployed bundle
 * carry a signature by the firmware signer, whose certificate (codeSigning, issued by the MPR root)
 * is on partition one. The launcher and the boot bundle check with this one code.
 */
@Version("1.0.0")
@Export
package dev.avocado.api.firmware;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
