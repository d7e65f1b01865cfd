package dev.avocado.protocol.http;

import java.security.cert.CertificateException;

/** What went wrong in an exchange, in words: a refused server certificate names the rule it broke. */
public final class Failures {

    private Failures() {
    }

    /** The reason of a failed exchange: the trust rule a TLS handshake failed on, else the exception's message. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                return "the server certificate is refused: " + t.getMessage();
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
