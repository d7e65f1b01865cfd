/** Vouchers and voucher requests (RFC 8366, RFC 8995): the JSON and its CMS signature, one code for pledge, registrar and MASA. */
@Version("1.1.0")
@Export
package dev.avocado.protocol.voucher;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
