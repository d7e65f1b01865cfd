package dev.avocado.tools;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * The CPU cost of a full TLS handshake, both ends in one thread, no sockets: a benchmark's crypto bound.
 * Steady state: the handshakes of a warm-up period are not counted. The server's engine calls are
 * timed apart, for the servers' share.
 */
final class Handshakes {

    /** Seconds of one core per handshake: both ends, and the server's engine alone. */
    record Cost(double both, double server) {
    }

    private Handshakes() {
    }

    /**
     * Counted for {@code millis} after as long again to warm up.
     *
     * @param clientAuth the server asks for the client's certificate (and checks its signature)
     */
    static Cost secondsPerHandshake(SSLContext client, SSLContext server, boolean clientAuth, long millis)
            throws SSLException {
        long[] serverNanos = new long[1];
        long[] count = new long[1];
        try {
            double both = RawCrypto.time(millis, () -> {
                try {
                    serverNanos[0] += handshake(client, server, clientAuth);
                    count[0]++;
                } catch (SSLException e) {
                    throw new GeneralSecurityException(e.getMessage(), e);
                }
            }) / 1e6;
            // the counters ran through the warm-up too: the server's share is the same proportion
            return new Cost(both, both * serverShare(serverNanos[0], count[0], both));
        } catch (GeneralSecurityException e) {
            throw new SSLException("in-memory handshake: " + e.getMessage(), e);
        }
    }

    private static double serverShare(long serverNanos, long count, double both) {
        return Math.min(1, serverNanos / 1e9 / count / both);
    }

    /** One handshake; the nanoseconds spent in the server's engine. */
    static long handshake(SSLContext clientCtx, SSLContext serverCtx, boolean clientAuth) throws SSLException {
        SSLEngine client = clientCtx.createSSLEngine("127.0.0.1", 443);
        client.setUseClientMode(true);
        SSLEngine server = serverCtx.createSSLEngine();
        server.setUseClientMode(false);
        server.setWantClientAuth(clientAuth);
        int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer c2s = ByteBuffer.allocate(size * 4);
        ByteBuffer s2c = ByteBuffer.allocate(size * 4);
        ByteBuffer app = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 4);
        ByteBuffer empty = ByteBuffer.allocate(0);
        long serverNanos = 0;
        client.beginHandshake();
        long t = System.nanoTime();
        server.beginHandshake();
        serverNanos += System.nanoTime() - t;
        for (int rounds = 0; rounds < 1000; rounds++) {
            if (done(client) && done(server)) {
                if (clientAuth) {
                    server.getSession().getPeerCertificates(); // throws when the client sent none
                }
                return serverNanos;
            }
            step(client, empty, c2s, s2c, app);
            t = System.nanoTime();
            step(server, empty, s2c, c2s, app);
            serverNanos += System.nanoTime() - t;
        }
        throw new SSLException("handshake did not finish");
    }

    /** One turn of an engine: run its tasks, write what it wants to send, read what it was sent. */
    private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws SSLException {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
        SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
        if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            e.wrap(empty, out);
        } else if (hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP || hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
            in.flip();
            e.unwrap(in, app);
            in.compact();
            app.clear();
        }
    }

    private static boolean done(SSLEngine e) {
        SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
        return hs == SSLEngineResult.HandshakeStatus.FINISHED || hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }
}
