package dev.avocado.protocol.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Peer text in log lines: no forged lines, no endless lines. */
public class PrintableTest {

    @Test
    public void controlCharactersAndLineSeparatorsAreEscaped() {
        assertEquals("ok\\u000a2026-12-01 INFO forged line", Printable.of("ok\n2026-12-01 INFO forged line"));
        assertEquals("a\\u000db\\u2028c\\u001b[31m", Printable.of("a\rb\u2028c\u001b[31m"));
        assertEquals("plain text, \u00fcn\u00efcode", Printable.of("plain text, \u00fcn\u00efcode"));
        assertEquals("null", Printable.of(null));
    }

    @Test
    public void longTextIsCut() {
        String cut = Printable.of("x".repeat(100_000));
        assertTrue(cut, cut.length() < Printable.MAX + 40 && cut.endsWith("... (100000 characters)"));
    }
}
