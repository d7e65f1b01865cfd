package dev.avocado.tools;

import dev.avocado.protocol.x509.Bc;
import dev.avocado.server.ServerTls;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.crypto.KeyAgreement;

/**
 * The best raw P-256 operations this JVM has, for a benchmark's bound: ECDSA signature and
 * verification (SHA-256 over a voucher-sized message), key pair generation and ECDH, each timed in
 * every provider that has it (SunEC, BouncyCastle, Conscrypt's BoringSSL when it loads), warm, one
 * thread; the fastest of each counts. No protocol code runs here.
 */
final class RawCrypto {

    /** Microseconds of one core per operation, and the provider that did it fastest. */
    record Op(String what, String provider, double micros) {
        double seconds() {
            return micros / 1e6;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.1f us (%s)", what, micros, provider);
        }
    }

    record Best(Op sign, Op verify, Op keyPair, Op ecdh) {
    }

    private static final byte[] MESSAGE = new byte[1500];

    private RawCrypto() {
    }

    static List<Provider> providers() {
        List<Provider> all = new ArrayList<>(List.of(Security.getProvider("SunEC"), Bc.PROVIDER));
        ServerTls.conscrypt().ifPresent(all::add);
        return all;
    }

    /** Each operation in each provider for about {@code millis} after as long again to warm up. */
    static Best measure(long millis) throws GeneralSecurityException {
        return measure(millis, op -> { });
    }

    /** {@link #measure(long)}, every provider's figure handed to {@code each} as it is measured. */
    static Best measure(long millis, java.util.function.Consumer<Op> each) throws GeneralSecurityException {
        Op sign = null;
        Op verify = null;
        Op keyPair = null;
        Op ecdh = null;
        for (Provider p : providers()) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair a = g.generateKeyPair();
            KeyPair b = g.generateKeyPair();
            Signature s = Signature.getInstance("SHA256withECDSA", p);
            s.initSign(a.getPrivate());
            s.update(MESSAGE);
            byte[] sig = s.sign();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH", p);
            java.security.KeyFactory kf = java.security.KeyFactory.getInstance("EC", p);
            byte[] spki = a.getPublic().getEncoded();
            byte[] peer = b.getPublic().getEncoded();
            sign = faster(sign, report(each, new Op("sign", p.getName(), time(millis, () -> {
                s.initSign(a.getPrivate());
                s.update(MESSAGE);
                s.sign();
            }))));
            // a key seen once, as every pledge's and every CSR's is: decoded from its encoding each time
            verify = faster(verify, report(each, new Op("verify", p.getName(), time(millis, () -> {
                s.initVerify(kf.generatePublic(new java.security.spec.X509EncodedKeySpec(spki)));
                s.update(MESSAGE);
                if (!s.verify(sig)) {
                    throw new GeneralSecurityException(p.getName() + " refused its own signature");
                }
            }))));
            keyPair = faster(keyPair, report(each, new Op("key pair", p.getName(), time(millis, g::generateKeyPair))));
            ecdh = faster(ecdh, report(each, new Op("ECDH", p.getName(), time(millis, () -> {
                ka.init(a.getPrivate());
                ka.doPhase(kf.generatePublic(new java.security.spec.X509EncodedKeySpec(peer)), true);
                ka.generateSecret();
            }))));
        }
        return new Best(sign, verify, keyPair, ecdh);
    }

    private static Op report(java.util.function.Consumer<Op> each, Op op) {
        each.accept(op);
        return op;
    }

    private static Op faster(Op best, Op candidate) {
        return best == null || candidate.micros() < best.micros() ? candidate : best;
    }

    interface Action {
        void run() throws GeneralSecurityException;
    }

    /** Microseconds per run of {@code action}: warmed for {@code millis}, then timed for {@code millis}. */
    static double time(long millis, Action action) throws GeneralSecurityException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            action.run();
        }
        long n = 0;
        long start = System.nanoTime();
        end = start + millis * 1_000_000;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                action.run();
            }
            n += 16;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / 1e3 / n;
    }
}
