package dev.avocado.protocol.x509;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The BouncyCastle provider as an instance, never added to {@code java.security.Security}: inside OSGi a
 * bundle must not leave a provider behind in the JVM when it stops.
 */
public final class Bc {

    public static final Provider PROVIDER = new BouncyCastleProvider();

    private Bc() {
    }
}
