/** Device keys: generation and use of private keys that never leave their key store (TPM or software). */
@Version("1.2.0")
@Export
package dev.avocado.api.keys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
