package dev.avocado.protocol.http;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.Test;

/** Retry-After as a hostile registrar sends it: capped, never negative, never an exception. */
public class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    public void secondsAreTakenUpToTheCap() {
        assertEquals(Optional.of(Duration.ofSeconds(7)), RetryAfter.parse(" 7 ", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NOW));
        assertEquals(Optional.of(HttpsClient.MAX_RETRY_AFTER), RetryAfter.parse("99999999", NOW));
        assertEquals(Optional.of(HttpsClient.MAX_RETRY_AFTER), RetryAfter.parse("9223372036854775807", NOW));
        assertEquals(Optional.of(HttpsClient.MAX_RETRY_AFTER), RetryAfter.parse("99999999999999999999999999", NOW));
    }

    @Test
    public void datesAreTakenFromNowNeverBeforeIt() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Tue, 01 Dec 2026 10:01:30 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Mon, 30 Nov 2026 10:00:00 GMT", NOW));
        assertEquals(Optional.of(HttpsClient.MAX_RETRY_AFTER), RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW));
    }

    @Test
    public void anythingElseIsNoRetryAfter() {
        assertEquals(Optional.empty(), RetryAfter.parse("-5", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("1.5", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("", NOW));
    }
}
