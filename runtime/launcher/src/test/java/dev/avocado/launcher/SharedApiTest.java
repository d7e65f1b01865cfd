package dev.avocado.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import org.junit.Test;

/** The version the system bundle exports the lifecycle package at, read from the API bundle's header. */
public class SharedApiTest {

    /** As bnd writes it: uses directives whose quoted lists hold commas, the version after them. */
    private static final String EXPORTS = "dev.avocado.api.identity;version=\"1.0.0\",dev.avocado.api.lifecycle;"
            + "uses:=\"org.osgi.framework,dev.avocado.api.identity\";version=\"2.0.0\",dev.avocado.api.onboarding;"
            + "version=\"1.0.0\";uses:=\"dev.avocado.api.identity,org.osgi.util.promise\"";

    @Test
    public void theVersionIsReadPastQuotedCommas() throws Exception {
        assertEquals("2.0.0", SharedApi.exportedVersion(EXPORTS, "dev.avocado.api.lifecycle"));
        assertEquals("1.0.0", SharedApi.exportedVersion(EXPORTS, "dev.avocado.api.onboarding"));
    }

    @Test
    public void aMissingPackageOrVersionIsNamed() {
        IOException absent = assertThrows(IOException.class,
                () -> SharedApi.exportedVersion(EXPORTS, "dev.avocado.api.keys"));
        assertTrue(absent.getMessage(), absent.getMessage().endsWith("does not export dev.avocado.api.keys"));
        IOException bare = assertThrows(IOException.class,
                () -> SharedApi.exportedVersion("dev.avocado.api.lifecycle", "dev.avocado.api.lifecycle"));
        assertEquals("the API bundle exports dev.avocado.api.lifecycle without a version", bare.getMessage());
    }

    /** The launcher's own class path: the API bundle the build made. */
    @Test
    public void theLauncherExportsTheApiBundlesVersion() throws Exception {
        assertTrue(SharedApi.systemPackagesExtra(), SharedApi.systemPackagesExtra()
                .matches("dev\\.avocado\\.api\\.lifecycle;version=\"2\\.\\d+\\.\\d+\",org\\.xipki\\.pkcs11\\.wrapper;.*"));
        // the wrapper's packages are on the launcher's class path, which the system bundle exports them from
        assertTrue(SharedApi.systemPackagesExtra().endsWith(",iaik.pkcs.pkcs11.wrapper;version=\"1.6.8\""));
        Class.forName("iaik.pkcs.pkcs11.wrapper.PKCS11Implementation");
    }
}
