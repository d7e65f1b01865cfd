package dev.avocado.server;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Admin passwords as Argon2id hashes (RFC 9106) in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), with BouncyCastle's Argon2: 19 MiB, two passes,
 * one lane, OWASP's minimum for Argon2id. The parameters travel in the string, so stronger ones later
 * still verify the old hashes.
 */
public final class PasswordHash {

    /** Shorter passwords are refused: the hash is the only thing between the network and the console. */
    public static final int MIN_LENGTH = 12;

    private static final int MEMORY_KIB = 19 * 1024;
    private static final int PASSES = 2;
    private static final int LANES = 1;
    private static final int SALT = 16;
    private static final int LENGTH = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** The hash of a new password; refused when it is shorter than {@value #MIN_LENGTH} characters. */
    public static String hash(char[] password) {
        if (password.length < MIN_LENGTH) {
            throw new IllegalArgumentException("the console password has " + password.length + " characters; it needs at least "
                    + MIN_LENGTH);
        }
        byte[] salt = new byte[SALT];
        RANDOM.nextBytes(salt);
        byte[] h = argon2(password, salt, MEMORY_KIB, PASSES, LANES, LENGTH);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + PASSES + ",p=" + LANES + "$" + B64.encodeToString(salt) + "$"
                + B64.encodeToString(h);
    }

    /** True when the password is the one hashed; a string that is not an Argon2id hash of ours is an error. */
    public static boolean verify(char[] password, String phc) {
        String[] part = phc.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (part.length != 6 || !part[1].equals("argon2id") || !part[2].equals("v=19")) {
            throw new IllegalArgumentException("the stored console password is not an Argon2id hash (v=19)");
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : part[3].split(",")) {
            String[] x = kv.split("=", 2);
            int v = Integer.parseInt(x[1]);
            switch (x[0]) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> p = v;
                default -> throw new IllegalArgumentException("the stored console password has an unknown parameter " + x[0]);
            }
        }
        if (m < 8 || m > 1024 * 1024 || t < 1 || t > 64 || p < 1 || p > 16) {
            throw new IllegalArgumentException("the stored console password has parameters out of range: " + part[3]);
        }
        byte[] salt = Base64.getDecoder().decode(part[4]);
        byte[] expected = Base64.getDecoder().decode(part[5]);
        return MessageDigest.isEqual(expected, argon2(password, salt, m, t, p, expected.length));
    }

    private static byte[] argon2(char[] password, byte[] salt, int memoryKib, int passes, int lanes, int length) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(passes).withParallelism(lanes).build());
        byte[] utf8 = utf8(password);
        try {
            byte[] out = new byte[length];
            g.generateBytes(utf8, out);
            return out;
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    private static byte[] utf8(char[] password) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }
}
