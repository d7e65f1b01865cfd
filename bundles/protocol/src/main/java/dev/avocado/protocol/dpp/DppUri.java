package dev.avocado.protocol.dpp;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DPP bootstrapping URI (Wi-Fi Easy Connect 2.0): {@code DPP:V:2;I:<info>;K:<base64 DER
 * SubjectPublicKeyInfo>;;}. The device makes one from its IDevID key (step O.c); the manufacturer
 * records it.
 *
 * @param info the I: field (here the serial number), or null
 * @param publicKey the K: field
 */
public record DppUri(String info, PublicKey publicKey) {

    private static final Pattern URI = Pattern.compile("DPP:((?:[A-JL-Z]:[^;]*;)*)K:([A-Za-z0-9+/=]+);;");
    private static final Pattern INFO = Pattern.compile("[\\x20-\\x3a\\x3c-\\x7e]*");

    public DppUri {
        if (info != null && !INFO.matcher(info).matches()) {
            throw new IllegalArgumentException("DPP I: field '" + info + "' has characters other than printable ASCII without ';'");
        }
    }

    @Override
    public String toString() {
        return "DPP:V:2;" + (info == null ? "" : "I:" + info + ";") + "K:"
                + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + ";;";
    }

    /**
     * Parses a DPP URI.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static DppUri parse(String uri) {
        Matcher m = URI.matcher(uri == null ? "" : uri.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a DPP URI (DPP:...K:<base64 key>;;): '"
                    + dev.avocado.protocol.io.Printable.of(String.valueOf(uri)) + "'");
        }
        String info = null;
        for (String field : m.group(1).split(";")) {
            if (field.startsWith("I:")) {
                info = field.substring(2);
            }
        }
        byte[] spki;
        try {
            spki = Base64.getDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DPP K: field is not base64", e);
        }
        for (String algorithm : new String[] {"EC", "RSA"}) {
            try {
                return new DppUri(info, KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki)));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("DPP K: field is not a SubjectPublicKeyInfo of an EC or RSA key");
    }
}
