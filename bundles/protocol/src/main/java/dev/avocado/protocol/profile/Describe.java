package dev.avocado.protocol.profile;

import java.security.cert.X509Certificate;

/** How errors name a certificate: by subject, so a person can find it. */
final class Describe {

    private Describe() {
    }

    static String cert(X509Certificate c) {
        return "certificate '" + c.getSubjectX500Principal().getName() + "'";
    }
}
