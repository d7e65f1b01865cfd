package dev.avocado.protocol.http;

import java.security.cert.CertificateException;

/** What went wrong in an exchange, in words: a refused server certificate names the rule it broke. */
public final class Failures {

    private Failures() {
    }

    /**
     * The reason of a failure in words: the trust rule a TLS handshake failed on, else the message of the
     * exception inside any wrapper (an ExecutionException, say), else its class name.
     */
    public static String describe(Throwable e) {
        while ((e instanceof java.util.concurrent.ExecutionException || e instanceof java.util.concurrent.CompletionException
                || e instanceof java.lang.reflect.InvocationTargetException) && e.getCause() != null) {
            e = e.getCause();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                return "the server certificate is refused: " + t.getMessage();
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
