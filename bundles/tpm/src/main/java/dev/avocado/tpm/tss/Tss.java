package dev.avocado.tpm.tss;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The TCG software stack libraries Debian ships (libtss2-esys0, -mu0, -tctildr0, -rc0), loaded once.
 * Debian installs only the versioned names (libtss2-esys.so.0) without the -dev packages, so those
 * are tried after the plain ones.
 */
public final class Tss {

    private static Tss instance;

    public final Esys esys;
    public final TctiLdr tctiLdr;
    public final Rc rc;
    public final Mu mu;

    /** setenv(3), to quiet the stack's own stderr logging before it first reads TSS2_LOG. */
    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private Tss() {
        if (System.getenv("TSS2_LOG") == null) {
            // the stack logs every expected miss (an empty handle probed) as an ERROR on stderr; errors
            // reach the device log through TpmException instead. Set TSS2_LOG to see its own log.
            Native.load("c", LibC.class).setenv("TSS2_LOG", "all+NONE", 0);
        }
        esys = load("tss2-esys", Esys.class);
        tctiLdr = load("tss2-tctildr", TctiLdr.class);
        rc = load("tss2-rc", Rc.class);
        mu = new Mu(library("tss2-mu"));
    }

    /**
     * @throws UnsatisfiedLinkError naming the library and the Debian packages that provide it
     */
    public static synchronized Tss get() {
        if (instance == null) {
            instance = new Tss();
        }
        return instance;
    }

    private static <T extends Library> T load(String name, Class<T> type) {
        try {
            return Native.load(name, type);
        } catch (UnsatisfiedLinkError e) {
            try {
                return Native.load("lib" + name + ".so.0", type);
            } catch (UnsatisfiedLinkError e2) {
                throw missing(name, e2);
            }
        }
    }

    private static NativeLibrary library(String name) {
        try {
            return NativeLibrary.getInstance(name);
        } catch (UnsatisfiedLinkError e) {
            try {
                return NativeLibrary.getInstance("lib" + name + ".so.0");
            } catch (UnsatisfiedLinkError e2) {
                throw missing(name, e2);
            }
        }
    }

    private static UnsatisfiedLinkError missing(String name, UnsatisfiedLinkError cause) {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("the TPM software stack library lib" + name
                + " is not installed (Debian: apt-get install libtss2-esys-3.0.2-0 libtss2-mu0 libtss2-tctildr0 "
                + "libtss2-rc0, plus libtss2-tcti-device0 or libtss2-tcti-swtpm0): " + cause.getMessage());
        e.initCause(cause);
        return e;
    }
}
