package dev.avocado.pkcs11.internal;

import java.nio.charset.StandardCharsets;

/** RFC 7512 PKCS#11 URIs, as wpa_supplicant (libp11) and NetworkManager take them. */
final class Pkcs11Uri {

    private Pkcs11Uri() {
    }

    /** The private key {@code object} of token {@code token}: {@code pkcs11:token=T;object=O;type=private}. */
    static String privateKey(String token, String object) {
        return "pkcs11:token=" + encode(token) + ";object=" + encode(object) + ";type=private";
    }

    /** Percent-encodes all but RFC 3986's unreserved characters, which every reader of the URI accepts. */
    static String encode(String value) {
        StringBuilder b = new StringBuilder();
        for (byte c : value.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return b.toString();
    }
}
