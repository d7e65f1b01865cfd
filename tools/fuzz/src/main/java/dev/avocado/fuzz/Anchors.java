package dev.avocado.fuzz;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/** What the harnesses share: an anchor to validate against, and the rule that a refusal says what was wrong. */
final class Anchors {

    static final X509Certificate ROOT;

    static {
        KeyPair key = KeyPairs.ecP256();
        Instant now = Instant.now();
        ROOT = MprProfile.issue(key, "O=Fuzz,CN=Fuzz Root CA", "127.0.0.1", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
    }

    private Anchors() {
    }

    /** A refusal without a message names nothing: a finding. */
    static void requireMessage(Exception refusal) {
        if (refusal.getMessage() == null || refusal.getMessage().isBlank()) {
            throw new IllegalStateException("a refusal without a message: " + refusal.getClass().getName(), refusal);
        }
    }
}
