package dev.avocado.shell.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import dev.avocado.protocol.x509.Names;
import java.util.HexFormat;

/** How the shell shows keys and certificates. */
final class Format {

    private Format() {
    }

    static String key(PublicKey key) {
        String kind;
        if (key instanceof ECPublicKey ec) {
            kind = "EC " + ec.getParams().getCurve().getField().getFieldSize() + "-bit";
        } else if (key instanceof RSAPublicKey rsa) {
            kind = "RSA " + rsa.getModulus().bitLength() + "-bit";
        } else {
            kind = key.getAlgorithm();
        }
        return kind + ", SHA-256 " + sha256(key.getEncoded());
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(X509Certificate c) {
        return Names.display(c.getSubjectX500Principal());
    }

    static String issuer(X509Certificate c) {
        return Names.display(c.getIssuerX500Principal());
    }

    static String validity(X509Certificate c) {
        return c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant();
    }
}
