package dev.avocado.server;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.Test;

public class LogLineTest {

    private static String line(String logger, Level level, String msg) {
        LogRecord r = new LogRecord(level, msg);
        r.setLoggerName(logger);
        r.setInstant(Instant.parse("2026-12-04T18:00:00Z"));
        return new LogLine().format(r);
    }

    @Test
    public void theStepAndTheSerialAreFieldsAndTheMessageIsOneQuotedValue() {
        assertEquals("time=2026-12-04T18:00:00Z level=INFO logger=RegistrarService step=C.3 serial=SN-1 "
                + "msg=\"C.3 voucher request of serial SN-1 from 127.0.0.1 is well formed\"\n",
                line("dev.avocado.registrar.RegistrarService", Level.INFO, "C.3 voucher request of serial SN-1 from 127.0.0.1 is well formed"));
        assertEquals("time=2026-12-04T18:00:00Z level=INFO logger=RouteErrors step=O.4 "
                + "msg=\"factory O.4: refused POST /.well-known/est/simpleenroll from 10.0.0.9: 403 no\"\n",
                line("dev.avocado.server.RouteErrors", Level.INFO, "factory O.4: refused POST /.well-known/est/simpleenroll from "
                        + "10.0.0.9: 403 no"));
        assertEquals("time=2026-12-04T18:00:00Z level=INFO logger=FactoryService step=O.d serial=SN-2 "
                + "msg=\"O.d recorded DPP URI of serial SN-2\"\n",
                line("dev.avocado.factory.FactoryService", Level.INFO, "O.d recorded DPP URI of serial SN-2"));
        assertEquals("time=2026-12-04T18:00:00Z level=INFO logger=RegistrarService step=\"voucher status\" serial=SN-3 "
                + "msg=\"voucher status of serial SN-3: success\"\n",
                line("dev.avocado.registrar.RegistrarService", Level.INFO, "voucher status of serial SN-3: success"));
    }

    /** A peer's text cannot start a second line or a field of its own. */
    @Test
    public void quotesBackslashesAndLineBreaksAreEscaped() {
        assertEquals("time=2026-12-04T18:00:00Z level=WARNING logger=x "
                + "msg=\"a \\\"quoted\\\" \\\\ reason\\nlevel=INFO step=E.1 forged\"\n",
                line("x", Level.WARNING, "a \"quoted\" \\ reason\nlevel=INFO step=E.1 forged"));
        assertEquals("plain", LogLine.quote("plain"));
        assertEquals("\"\"", LogLine.quote(""));
        assertEquals("\"a=b\"", LogLine.quote("a=b"));
    }
}
