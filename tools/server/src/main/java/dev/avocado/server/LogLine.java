package dev.avocado.server;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers' log as one logfmt line per event, for the journal and log shippers:
 * {@code time=... level=INFO logger=registrar step=C.3 serial=SN-1 msg="..."}. The step is the name the
 * message starts with (O.4, C.3, D.5, B, "voucher status": every server message names its step first),
 * the serial the device the message names ("serial SN-1"); both are left out when the message has none.
 * The message is quoted with its quotes, backslashes and line breaks escaped, so a line is one event.
 */
public final class LogLine extends Formatter {

    private static final Pattern STEP = Pattern.compile("^(O\\.\\d+|O\\.[a-z]|[A-E](?:\\.\\d+)?|voucher status|enroll status)"
            + "(?=[ :])");
    private static final Pattern SERIAL = Pattern.compile("\\bserial ([A-Za-z0-9._:-]{1,64})\\b");

    @Override
    public String format(LogRecord r) {
        String msg = formatMessage(r);
        if (r.getThrown() != null) {
            msg = msg + ": " + r.getThrown();
        }
        StringBuilder b = new StringBuilder(96 + msg.length());
        b.append("time=").append(Instant.ofEpochMilli(r.getMillis())).append(" level=").append(r.getLevel().getName());
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        b.append(" logger=").append(logger.substring(logger.lastIndexOf('.') + 1));
        // "registrar C.3: refused ..." (RouteErrors) names the service first
        String body = msg.startsWith(service(msg)) ? msg.substring(service(msg).length()) : msg;
        Matcher step = STEP.matcher(body);
        if (step.find()) {
            b.append(" step=").append(quote(step.group(1)));
        }
        Matcher serial = SERIAL.matcher(msg);
        if (serial.find()) {
            b.append(" serial=").append(serial.group(1));
        }
        return b.append(" msg=").append(quote(msg)).append('\n').toString();
    }

    /** "factory ", "masa ", "registrar " when the message starts with one of them, else "". */
    private static String service(String msg) {
        for (String s : new String[] {"factory ", "masa ", "registrar "}) {
            if (msg.startsWith(s)) {
                return s;
            }
        }
        return "";
    }

    static String quote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < ' ') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Makes every log line of this process a logfmt line (the root logger's handlers). */
    public static void install() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setFormatter(new LogLine());
        }
    }
}
