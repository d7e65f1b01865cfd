package dev.avocado.brski.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.KeyPairs;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

public class PendingRequestTest {

    private final AtomicLong now = new AtomicLong();
    private final PendingRequest pending = new PendingRequest(now::get);

    private static X509Certificate registrar(String cn) throws Exception {
        Instant t = Instant.now();
        return MprProfile.issue(KeyPairs.ecP256(), "CN=" + cn, "127.0.0.1", t.minusSeconds(60), t.plusSeconds(3600));
    }

    @Test
    public void aRequestWithoutAnAnswerIsAskedAgainOfTheSameRegistrarOnly() throws Exception {
        X509Certificate one = registrar("registrar one");
        X509Certificate other = registrar("registrar two");
        assertTrue(pending.again(one).isEmpty());
        byte[] request = {1, 2, 3};
        pending.signed(one, "nonce-1", request);
        request[0] = 9; // the kept copy is the signed one
        PendingRequest.Signed again = pending.again(one).orElseThrow();
        assertEquals("nonce-1", again.nonce());
        assertArrayEquals(new byte[] {1, 2, 3}, again.request());
        // the request names the registrar it was signed for: another one gets a new request
        assertTrue(pending.again(other).isEmpty());
        assertEquals("nonce-1", pending.again(one).orElseThrow().nonce());
    }

    @Test
    public void anAnswerOrAnHourEndsIt() throws Exception {
        X509Certificate one = registrar("registrar one");
        pending.signed(one, "nonce-1", new byte[] {1});
        pending.answered();
        assertTrue(pending.again(one).isEmpty());

        pending.signed(one, "nonce-2", new byte[] {2});
        now.addAndGet(PendingRequest.LONGEST.toNanos());
        assertEquals("nonce-2", pending.again(one).orElseThrow().nonce());
        now.incrementAndGet();
        assertTrue(pending.again(one).isEmpty());
    }
}
