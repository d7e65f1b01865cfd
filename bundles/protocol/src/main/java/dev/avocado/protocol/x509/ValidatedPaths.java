package dev.avocado.protocol.x509;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Certification paths that PKIX validation has accepted, so that the same path to the same anchors is
 * not validated again: a registrar sees each IDevID chain at the TLS handshake, in the voucher request
 * and in the enrollment, and a MASA sees the same registrar chain with every request.
 *
 * <p>A path's PKIX result (revocation off, the JDK's default policy processing) depends only on its
 * certificates, the anchors and the instant, and the instant only through the validity periods. So an
 * entry is the SHA-256 of the encoded certificates and anchors, and the period in which all of them are
 * valid; a hit needs the same certificates and anchors and an instant inside that period. Anything else
 * is validated in full. Only successes are kept, at most {@link #CAPACITY}, the least recently used
 * leaving first.
 */
final class ValidatedPaths {

    static final int CAPACITY = 4096;

    /** The instants at which every certificate of the path and every anchor is valid. */
    private record Window(long notBefore, long notAfter) {
        boolean contains(Instant at) {
            long t = at.toEpochMilli();
            return t >= notBefore && t <= notAfter;
        }
    }

    private final Map<String, Window> accepted = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The key of a path to its anchors. */
    static String key(List<X509Certificate> path, List<X509Certificate> anchors) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : path) {
                update(sha, c.getEncoded());
            }
            sha.update((byte) 0xff); // the path ends here: no path and anchor list shares a key with another split
            for (X509Certificate a : anchors) {
                update(sha, a.getEncoded());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot digest a certificate path", e);
        }
    }

    private static void update(MessageDigest sha, byte[] encoded) {
        int n = encoded.length;
        sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        sha.update(encoded);
    }

    synchronized boolean known(String key, Instant at) {
        Window w = accepted.get(key);
        return w != null && w.contains(at);
    }

    synchronized void remember(String key, List<X509Certificate> path, List<X509Certificate> anchors) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        for (List<X509Certificate> list : List.of(path, anchors)) {
            for (X509Certificate c : list) {
                from = Math.max(from, c.getNotBefore().getTime());
                to = Math.min(to, c.getNotAfter().getTime());
            }
        }
        accepted.put(key, new Window(from, to));
    }

    synchronized int size() {
        return accepted.size();
    }

    synchronized void clear() {
        accepted.clear();
    }
}
