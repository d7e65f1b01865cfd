package dev.avocado.protocol.io;

/**
 * A string a peer sent (a reason, a nonce, a JSON field), made safe for a log line: control
 * characters and line separators written as {@code \\uXXXX}, so a peer cannot forge log lines, and at
 * most {@link #MAX} characters.
 */
public final class Printable {

    /** The longest text kept from a peer in one log line. */
    public static final int MAX = 512;

    private Printable() {
    }

    public static String of(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 16);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX && s.length() > MAX) {
            b.append("... (").append(s.length()).append(" characters)");
        }
        return b.toString();
    }
}
