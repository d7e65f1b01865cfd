/**
 * A TPM 2.0 through the TCG software stack: one serialized ESYS context, persistent signing keys,
 * signatures, random bytes and NV indexes. Used by the TPM key service inside the device and by the
 * tools (writing the MPR into NV at image build, benchmarks).
 */
@Version("1.1.0")
@Export
package dev.avocado.tpm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
