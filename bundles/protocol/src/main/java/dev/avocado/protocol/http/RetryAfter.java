package dev.avocado.protocol.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Retry-After (RFC 9110 section 10.2.3) as a peer that means harm may send it: delay-seconds of any
 * length or an HTTP date, never more than {@link HttpsClient#MAX_RETRY_AFTER}, never negative; anything
 * else is no Retry-After at all.
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    public static Optional<Duration> parse(String value, Instant now) {
        String v = value.trim();
        long max = HttpsClient.MAX_RETRY_AFTER.toSeconds();
        if (v.matches("[0-9]+")) {
            // more digits than a long holds is still "later than the cap"
            return Optional.of(Duration.ofSeconds(v.length() > 12 ? max : Math.min(Long.parseLong(v), max)));
        }
        try {
            long seconds = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                    .getSeconds();
            return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, max))));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
