package dev.avocado.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class LauncherUnitTest {

    @Test
    public void execScriptsSplitAtSemicolonsOutsideQuotes() {
        assertEquals(List.of("mpr:show", "device:state"), GogoExec.split("mpr:show; device:state;"));
        assertEquals(List.of("echo 'a; b'", "echo \"c;d\""), GogoExec.split("echo 'a; b'\necho \"c;d\""));
        assertEquals(List.of(), GogoExec.split(" ; \n "));
    }

    @Test
    public void manifestIsSha256sumFormatAndParsesBack() throws Exception {
        Map<String, String> hashes = Map.of("bundles/a.jar", "ab".repeat(32), "mpr/mpr.pem", "cd".repeat(32));
        byte[] manifest = FirmwareManifest.render(new java.util.TreeMap<>(hashes));
        assertEquals("abab" + "ab".repeat(30) + "  bundles/a.jar\n" + "cd".repeat(32) + "  mpr/mpr.pem\n",
                new String(manifest, StandardCharsets.UTF_8));
        assertEquals(hashes, FirmwareManifest.parse(manifest));
        FirmwareException e = assertThrows(FirmwareException.class,
                () -> FirmwareManifest.parse("xyz  file\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage(), e.getMessage().contains("line 1 is not '<sha256>  <path>'"));
    }
}
