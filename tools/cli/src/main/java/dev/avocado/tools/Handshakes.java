package dev.avocado.tools;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/** The CPU cost of a full TLS handshake, both ends in one thread, no sockets: a benchmark's crypto bound. */
final class Handshakes {

    private Handshakes() {
    }

    static double secondsPerHandshake(SSLContext client, SSLContext server, int count) throws SSLException {
        return secondsPerHandshake(client, server, count, false);
    }

    /** @param clientAuth the server asks for the client's certificate (and checks its signature) */
    static double secondsPerHandshake(SSLContext client, SSLContext server, int count, boolean clientAuth) throws SSLException {
        for (int i = 0; i < 50; i++) {
            handshake(client, server, clientAuth); // warm the JIT
        }
        long t = System.nanoTime();
        for (int i = 0; i < count; i++) {
            handshake(client, server, clientAuth);
        }
        return (System.nanoTime() - t) / 1e9 / count;
    }

    private static void handshake(SSLContext clientCtx, SSLContext serverCtx, boolean clientAuth) throws SSLException {
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
        client.beginHandshake();
        server.beginHandshake();
        for (int rounds = 0; rounds < 1000; rounds++) {
            boolean clientDone = done(client);
            boolean serverDone = done(server);
            if (clientDone && serverDone) {
                return;
            }
            step(client, empty, c2s, s2c, app);
            step(server, empty, s2c, c2s, app);
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
