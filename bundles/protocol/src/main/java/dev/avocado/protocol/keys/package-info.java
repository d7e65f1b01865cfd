/**
 * JCA access to keys that stay in their store (a TPM, a PKCS#11 token): private-key handles and the
 * Signature services that hash here and have the store sign the digest, so BouncyCastle content signers
 * (CSR, CMS) and BCJSSE key managers use them unchanged. Shared by every key service that holds keys.
 */
@Version("1.0.0")
@Export
package dev.avocado.protocol.keys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
