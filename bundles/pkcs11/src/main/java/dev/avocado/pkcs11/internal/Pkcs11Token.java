package dev.avocado.pkcs11.internal;

import dev.avocado.api.keys.KeyServiceException;
import dev.avocado.protocol.io.AtomicFiles;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.TokenException;

/**
 * One token of one PKCS#11 module, with one logged-in read-write session: the module is loaded and the
 * session opened at first use, and again after the session is lost. Initializes the token when asked
 * and none has the label: the user PIN is written (temp file, fsync, rename) before C_InitToken, so a
 * crash in between leaves a PIN file the next attempt reuses, never a token with an unknown PIN.
 */
final class Pkcs11Token implements AutoCloseable {

    /** What a call does in the session. */
    @FunctionalInterface
    interface Call<T> {
        T run(Session session) throws TokenException, KeyServiceException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Errors after which a new session (and a new login) may succeed. */
    private static final Set<Long> SESSION_LOST = Set.of(PKCS11Constants.CKR_SESSION_HANDLE_INVALID,
            PKCS11Constants.CKR_SESSION_CLOSED, PKCS11Constants.CKR_USER_NOT_LOGGED_IN, PKCS11Constants.CKR_DEVICE_ERROR,
            PKCS11Constants.CKR_DEVICE_REMOVED, PKCS11Constants.CKR_TOKEN_NOT_PRESENT, PKCS11Constants.CKR_GENERAL_ERROR);

    private final Path modulePath;
    private final String label;
    private final Path pinFile;
    private final boolean initialize;
    private PKCS11Module module;
    private Slot slot;
    private Session session;
    private String pin;
    /** A user PIN the token refused: not tried again (see {@link #session}). */
    private String refusedPin;
    private boolean closed;

    Pkcs11Token(Path modulePath, String label, Path pinFile, boolean initialize) {
        this.modulePath = modulePath;
        this.label = label;
        this.pinFile = pinFile;
        this.initialize = initialize;
    }

    /** "PKCS#11 token avocado of /usr/lib/...": the token as messages name it. */
    String name() {
        return "PKCS#11 token " + label + " of " + modulePath;
    }

    String label() {
        return label;
    }

    Path module() {
        return modulePath;
    }

    synchronized String pin() throws KeyServiceException {
        if (pin == null) {
            pin = readPin().orElseThrow(() -> new KeyServiceException("no PIN for " + name() + ": " + pinFile
                    + " does not exist"));
        }
        return pin;
    }

    /** The token's name, with its manufacturer and model once it was opened (describing never opens it). */
    synchronized String describe() {
        if (slot == null) {
            return name();
        }
        try {
            var info = slot.getToken().getTokenInfo();
            return name() + " (" + info.getManufacturerID().strip() + " " + info.getModel().strip() + ")";
        } catch (PKCS11Exception e) {
            return name() + ": " + Pkcs11Keys.name(e);
        }
    }

    /**
     * Runs a call in the session, opening it first when needed. When the connection turns out lost (the
     * TPM or its resource manager restarted, the token was pulled), the session and the module are dropped
     * and the call fails saying so; the next call loads the module afresh (C_Finalize, then C_Initialize).
     * Nothing is retried here: a retry at once meets the same dead TPM, and a call that changes the token
     * (making a key) may have taken effect the first time.
     */
    synchronized <T> T call(String what, Call<T> call) throws KeyServiceException {
        if (closed) {
            throw new KeyServiceException(name() + ": cannot " + what + ": the key service is stopped");
        }
        try {
            return call.run(session());
        } catch (PKCS11Exception e) {
            boolean lost = SESSION_LOST.contains(e.getErrorCode());
            if (lost) {
                disconnect();
            } else {
                closeSession();
            }
            throw new KeyServiceException(name() + ": cannot " + what + ": " + Pkcs11Keys.name(e)
                    + (lost ? " (the connection to the token is dropped; the next call opens it afresh)" : ""), e);
        } catch (TokenException e) {
            closeSession();
            throw new KeyServiceException(name() + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** Drops the session and the module (the next call loads it again: C_Finalize, then C_Initialize). */
    private void disconnect() {
        closeSession();
        if (module != null) {
            Modules.release(modulePath);
            module = null;
            slot = null;
        }
    }

    private Session session() throws TokenException, KeyServiceException {
        if (session != null) {
            return session;
        }
        if (module == null) {
            module = Modules.acquire(modulePath);
        }
        if (slot == null) {
            slot = findSlot();
        }
        String userPin = pin();
        if (userPin.equals(refusedPin)) {
            // each refused login counts against the TPM's dictionary-attack limit, whose lockout would stop the
            // IDevID key too: a PIN refused once is not tried again until the PIN file changes
            throw new KeyServiceException(name() + " refused the user PIN of " + pinFile + " before; it is not "
                    + "tried again until the file changes (each try counts towards the TPM's dictionary-attack lockout)");
        }
        Session s = slot.getToken().openSession(true);
        try {
            s.login(PKCS11Constants.CKU_USER, userPin.toCharArray());
        } catch (PKCS11Exception e) {
            if (e.getErrorCode() == PKCS11Constants.CKR_USER_PIN_NOT_INITIALIZED && soPinFile().isPresent()) {
                // a crash between C_InitToken and C_InitPIN: finish the initialization with the kept SO PIN
                s.closeSession();
                initUserPin(slot, soPinFile().get().toCharArray(), userPin);
                return session();
            }
            if (e.getErrorCode() != PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN) {
                s.closeSession();
                if (e.getErrorCode() == PKCS11Constants.CKR_PIN_INCORRECT || e.getErrorCode() == PKCS11Constants.CKR_PIN_LOCKED) {
                    refusedPin = userPin;
                    pin = null;
                    throw new KeyServiceException(name() + " refused the user PIN of " + pinFile + ": " + Pkcs11Keys.name(e), e);
                }
                throw e;
            }
        }
        session = s;
        return s;
    }

    /** The slot whose token has the label; an uninitialized one initialized with it when allowed. */
    private Slot findSlot() throws TokenException, KeyServiceException {
        Slot blank = null;
        for (Slot candidate : module.getSlotList(true)) {
            var info = candidate.getToken().getTokenInfo();
            if (info.isTokenInitialized() && label.equals(info.getLabel().strip())) {
                return candidate;
            }
            if (!info.isTokenInitialized() && blank == null) {
                blank = candidate;
            }
        }
        if (!initialize || blank == null) {
            throw new KeyServiceException("no token labelled " + label + " in " + modulePath
                    + (initialize ? " and no uninitialized token to initialize" : " (initialize is off)"));
        }
        String userPin = readPin().orElse(null);
        if (userPin == null) {
            userPin = HexFormat.of().formatHex(bytes(16));
            try {
                AtomicFiles.folder(pinFile.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                AtomicFiles.writeNew(pinFile, userPin.getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
            } catch (IOException e) {
                throw new KeyServiceException("cannot write the PIN file " + pinFile + " of " + name() + ": " + e.getMessage(), e);
            }
        }
        // the SO PIN is kept (owner-only, beside the user PIN) only until C_InitPIN succeeded: a crash between
        // C_InitToken and C_InitPIN leaves a token the next start can still finish
        char[] soPin = HexFormat.of().formatHex(bytes(16)).toCharArray();
        try {
            AtomicFiles.write(soPinPath(), new String(soPin).getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new KeyServiceException("cannot write " + soPinPath() + " of " + name() + ": " + e.getMessage(), e);
        }
        try {
            // CK_UTF8CHAR label[32], padded with blanks (PKCS#11 2.40, C_InitToken)
            char[] padded = String.format("%-32s", label).toCharArray();
            if (label.getBytes(StandardCharsets.UTF_8).length > 32) {
                throw new KeyServiceException("the token label " + label + " is longer than PKCS#11's 32 bytes");
            }
            module.getPKCS11Module().C_InitToken(blank.getSlotID(), soPin, padded, true);
        } catch (iaik.pkcs.pkcs11.wrapper.PKCS11Exception e) {
            throw module.convertException(e);
        }
        // the module may give the initialized token a slot of its own (tpm2-pkcs11 adds a new blank one)
        Slot initialized = null;
        for (Slot candidate : module.getSlotList(true)) {
            var info = candidate.getToken().getTokenInfo();
            if (info.isTokenInitialized() && label.equals(info.getLabel().strip())) {
                initialized = candidate;
            }
        }
        if (initialized == null) {
            throw new KeyServiceException(name() + ": C_InitToken returned, but no token has the label");
        }
        initUserPin(initialized, soPin, userPin);
        pin = userPin;
        return initialized;
    }

    /** C_InitPIN as the security officer; then the SO PIN is forgotten for good. */
    private void initUserPin(Slot slot, char[] soPin, String userPin) throws TokenException, KeyServiceException {
        Session so = slot.getToken().openSession(true);
        try {
            so.login(PKCS11Constants.CKU_SO, soPin);
            so.initPIN(userPin.toCharArray());
            so.logout();
        } finally {
            so.closeSession();
        }
        try {
            AtomicFiles.delete(soPinPath());
        } catch (IOException e) {
            throw new KeyServiceException("cannot delete " + soPinPath() + " of " + name() + ": " + e.getMessage(), e);
        }
    }

    /** Where the SO PIN waits between C_InitToken and C_InitPIN. */
    private Path soPinPath() {
        return pinFile.resolveSibling(pinFile.getFileName() + ".so");
    }

    private java.util.Optional<String> soPinFile() throws KeyServiceException {
        try {
            return Files.exists(soPinPath()) ? java.util.Optional.of(Files.readString(soPinPath(), StandardCharsets.US_ASCII)
                    .strip()) : java.util.Optional.empty();
        } catch (IOException e) {
            throw new KeyServiceException("cannot read " + soPinPath() + ": " + e.getMessage(), e);
        }
    }

    private java.util.Optional<String> readPin() throws KeyServiceException {
        try {
            if (!Files.exists(pinFile)) {
                return java.util.Optional.empty();
            }
            String p = Files.readString(pinFile, StandardCharsets.US_ASCII).strip();
            if (p.isEmpty()) {
                throw new KeyServiceException("the PIN file " + pinFile + " of " + name() + " is empty");
            }
            return java.util.Optional.of(p);
        } catch (IOException e) {
            throw new KeyServiceException("cannot read the PIN file " + pinFile + ": " + e.getMessage(), e);
        }
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.closeSession();
            } catch (PKCS11Exception ignored) {
                // lost already
            }
            session = null;
        }
    }

    /** Stops for good: the module is released, and later calls (a key handle kept somewhere) are refused. */
    @Override
    public synchronized void close() {
        disconnect();
        closed = true;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The loaded modules of this JVM: a module is initialized once per process (a second C_Initialize
     * fails with CKR_CRYPTOKI_ALREADY_INITIALIZED), so tokens of one module share it, and the last to
     * close finalizes it.
     */
    static final class Modules {
        private static final Map<Path, PKCS11Module> LOADED = new HashMap<>();
        private static final Map<Path, Integer> USERS = new HashMap<>();

        private Modules() {
        }

        static synchronized PKCS11Module acquire(Path configured) throws KeyServiceException, TokenException {
            // one module file, however it is named (a symbolic link, the versioned name)
            Path path;
            try {
                path = configured.toRealPath();
            } catch (IOException e) {
                throw new KeyServiceException("the PKCS#11 module " + configured + " does not exist");
            }
            PKCS11Module m = LOADED.get(path);
            if (m == null) {
                if (!Files.isRegularFile(path)) {
                    throw new KeyServiceException("the PKCS#11 module " + path + " does not exist");
                }
                try {
                    m = load(path);
                } catch (IOException e) {
                    throw new KeyServiceException("the PKCS#11 module " + path + " cannot be loaded: " + e.getMessage(), e);
                } catch (UnsatisfiedLinkError e) {
                    // the wrapper's own JNI library, which p1's start script puts on java.library.path
                    throw new KeyServiceException("the PKCS#11 wrapper's JNI library libpkcs11wrapper.so is not on "
                            + "java.library.path (" + System.getProperty("java.library.path") + "), so the module " + path
                            + " cannot be used: " + e.getMessage(), e);
                }
                m.initialize();
                LOADED.put(path, m);
            }
            USERS.merge(path, 1, Integer::sum);
            return m;
        }

        /** PKCS11Module.getInstance, which links the wrapper's JNI library on first use (once per JVM). */
        private static PKCS11Module load(Path path) throws IOException, TokenException {
            return PKCS11Module.getInstance(path.toString());
        }

        static synchronized void release(Path configured) {
            Path path;
            try {
                path = configured.toRealPath();
            } catch (IOException e) {
                return;
            }
            Integer users = USERS.get(path);
            if (users == null) {
                return;
            }
            int left = USERS.merge(path, -1, Integer::sum);
            if (left <= 0) {
                USERS.remove(path);
                PKCS11Module m = LOADED.remove(path);
                if (m != null) {
                    try {
                        m.finalize(null);
                    } catch (PKCS11Exception ignored) {
                        // the module is going away anyway
                    }
                }
            }
        }
    }
}
