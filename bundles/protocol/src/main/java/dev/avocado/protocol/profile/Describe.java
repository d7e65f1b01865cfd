package dev.avocado.protocol.profile;

import java.security.cert.X509Certificate;

/** How errors name a certificate: by subject, so a person can find it (serialNumber by name; escaped, as it may be a peer's). */
final class Describe {

    private Describe() {
    }

    static String cert(X509Certificate c) {
        return "certificate '" + dev.avocado.protocol.x509.Names.display(c.getSubjectX500Principal()) + "'";
    }
}
