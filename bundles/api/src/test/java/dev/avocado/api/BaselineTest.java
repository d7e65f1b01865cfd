package dev.avocado.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Manifest;
import org.junit.Test;

/**
 * bnd's baseline of the API bundle: every exported package's declared version against what its changes
 * since the last release (baseline/avocado-api.jar) need. Runs after package, on the bundle bnd built.
 */
public class BaselineTest {

    private static final File RELEASED = new File("baseline/avocado-api.jar");

    /** The bundle bnd built (the build passes its path; the baseline runs after package). */
    private static Jar built() throws Exception {
        String path = System.getProperty("avocado.api.bundle");
        assertTrue("avocado.api.bundle names the built API bundle", path != null && new File(path).isFile());
        return new Jar(new File(path));
    }

    private static List<String> mismatches(Jar newer, Jar older) throws Exception {
        try (Processor reporter = new Processor()) {
            Set<Baseline.Info> infos = new Baseline(reporter, new DiffPluginImpl()).baseline(newer, older, null);
            // a check of nothing passes nothing: every package the release exported is compared
            assertEquals(infos.toString(), 8, infos.size()); // the release's 7 and dev.avocado.api.clock
            List<String> wrong = new ArrayList<>();
            for (Baseline.Info i : infos) {
                if (i.mismatch) {
                    wrong.add(i.packageName + " is " + i.newerVersion + " (was " + i.olderVersion + "), its changes need "
                            + i.suggestedVersion + (i.warning == null || i.warning.isBlank() ? "" : ": " + i.warning));
                }
            }
            assertTrue("bnd baseline: " + reporter.getErrors(), reporter.getErrors().isEmpty());
            return wrong;
        }
    }

    @Test
    public void everyPackageVersionMatchesItsChangesSinceTheRelease() throws Exception {
        try (Jar newer = built(); Jar older = new Jar(RELEASED)) {
            List<String> wrong = mismatches(newer, older);
            if (!wrong.isEmpty()) {
                fail("package versions do not match their changes since " + RELEASED + ":\n  " + String.join("\n  ", wrong));
            }
        }
    }

    /** The check fails when it should: the lifecycle package's 2.0 changes under its old version. */
    @Test
    public void aChangedPackageUnderItsOldVersionIsCaught() throws Exception {
        try (Jar newer = built(); Jar older = new Jar(RELEASED)) {
            Manifest m = newer.getManifest();
            String exports = m.getMainAttributes().getValue("Export-Package");
            assertTrue(exports, exports.contains("dev.avocado.api.lifecycle;version=\"2.0.0\""));
            m.getMainAttributes().putValue("Export-Package",
                    exports.replace("dev.avocado.api.lifecycle;version=\"2.0.0\"", "dev.avocado.api.lifecycle;version=\"1.3.0\""));
            newer.setManifest(m);
            List<String> wrong = mismatches(newer, older);
            assertEquals(wrong.toString(), 1, wrong.size());
            assertTrue(wrong.get(0), wrong.get(0).startsWith("dev.avocado.api.lifecycle is 1.3.0 (was 1.3.0), its changes need 2.0.0"));
            assertFalse(wrong.get(0).contains("dev.avocado.api.keys"));
        }
    }
}
