package dev.avocado.tools;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.avocado.protocol.pem.Pem;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.tpm.testing.Swtpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Devices with their keys in a TPM (swtpm), driven through the command line as a person would, in a
 * separate JVM: the device says it uses the TPM; an MPR anchored in TPM NV at image build makes the TPM
 * refuse a second one and the device refuse a partition one with another.
 */
public class TpmDeviceTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Swtpm swtpm;

    record Run(int code, String output) {
    }

    @BeforeClass
    public static void start() throws Exception {
        swtpm = Swtpm.start();
    }

    @AfterClass
    public static void stop() throws Exception {
        swtpm.close();
    }

    @Test
    public void anchoredMprBindsTheTpmToItsManufacturer() throws Exception {
        Path root = tmp.getRoot().toPath();
        String tcti = swtpm.tcti();
        assertEquals(0, cli("pki", "init", "--out", root.resolve("pki-a").toString()).code());
        Run built = cli("firmware", "build", "--pki", root.resolve("pki-a").toString(), "--out", root.resolve("img-a").toString(),
                "--keys", "tpm", "--tcti", tcti, "--anchor-mpr");
        assertEquals(built.output(), 0, built.code());
        assertTrue(built.output(), built.output().contains("MPR anchor:   tpm-nv:0x01800100: MPR written (")
                && built.output().contains("certificate) and write-locked"));

        // tpm2-tools sees the MPR, write-locked, in an index the platform made and only it may delete
        String nvPublic = swtpm.tools("tpm2_nvreadpublic", "0x01800100");
        assertTrue(nvPublic, nvPublic.contains("writelocked") && nvPublic.contains("platformcreate")
                && nvPublic.contains("policydelete"));
        // attack 8: a process with the owner hierarchy (empty password, as TPMs ship) cannot undefine it
        Swtpm.Result undefine = swtpm.toolsResult("tpm2_nvundefine", "-C", "o", "0x01800100");
        assertNotEquals(undefine.output(), 0, undefine.code());
        assertTrue(swtpm.tools("tpm2_nvreadpublic", "0x01800100").contains("0x1800100"));
        Path nv = root.resolve("nv.der");
        swtpm.tools("tpm2_nvread", "0x01800100", "-C", "0x01800100", "-o", nv.toString());
        assertArrayEquals(MprProfile.der(Pem.readCertificates(root.resolve("pki-a/manufacturer/mpr.pem"))),
                Files.readAllBytes(nv));

        Run boot = cli("device", "boot", "--image", root.resolve("img-a").toString(), "--batch", "--exec", "mpr:show; tpm:info");
        assertEquals(boot.output(), 0, boot.code());
        assertTrue("the device says it uses the TPM: " + boot.output(),
                boot.output().contains("keys: TPM IBM") && boot.output().contains("via " + tcti));
        assertTrue(boot.output(), boot.output().contains("Anchored in:       tpm-nv:0x01800100 (certificate), matches"));
        assertTrue(boot.output(), boot.output().contains("manufacturer:     IBM"));

        // another manufacturer's MPR: the TPM refuses to take it, and no half image is left
        assertEquals(0, cli("pki", "init", "--out", root.resolve("pki-b").toString(), "--manufacturer", "Other").code());
        Run refused = cli("firmware", "build", "--pki", root.resolve("pki-b").toString(), "--out", root.resolve("img-b").toString(),
                "--keys", "tpm", "--tcti", tcti, "--anchor-mpr");
        assertEquals(refused.output(), 1, refused.code());
        assertTrue(refused.output(), refused.output().contains(
                "cannot anchor the MPR in tpm-nv:0x01800100: TPM2_NV_Write failed: tpm:error(2.0): NV access locked (0x148)"));
        assertFalse("no half image", Files.exists(root.resolve("img-b")));

        // firmware with another MPR that does not ask for the anchor: the device still refuses it
        assertEquals(0, cli("firmware", "build", "--pki", root.resolve("pki-b").toString(), "--out",
                root.resolve("img-b").toString(), "--keys", "tpm", "--tcti", tcti).code());
        Run foreign = cli("device", "boot", "--image", root.resolve("img-b").toString(), "--batch");
        assertEquals(foreign.output(), 1, foreign.code());
        assertTrue(foreign.output(), foreign.output().contains("[device] failed: MPR " + root.resolve("img-b/p1/mpr/mpr.pem")
                + ": does not match the MPR anchored in tpm-nv:0x01800100"));

        // the MPR read from NV instead of partition one: a firmware setting, on the launcher's command line
        Run fromNv = cli("device", "boot", "--image", root.resolve("img-a").toString(), "-Davocado.mpr.source=tpm-nv",
                "--exec", "mpr:show");
        assertEquals(fromNv.output(), 0, fromNv.code());
        assertTrue(fromNv.output(), fromNv.output().contains("MPR source:        tpm-nv:0x01800100"));
        assertTrue(fromNv.output(), fromNv.output().contains("Manufacturer:      CN=Avocado Demo Manufacturer Root CA"));
    }

    /**
     * Attack 8: what a process with the owner hierarchy can make, an owner index at the anchor's place
     * holding another MPR, write-locked, is not taken as the anchor: the device names the rule.
     */
    @Test
    public void anOwnerMadeIndexIsNotTakenForTheAnchor() throws Exception {
        Path root = tmp.getRoot().toPath();
        String tcti = swtpm.tcti();
        assertEquals(0, cli("pki", "init", "--out", root.resolve("pki-d").toString(), "--manufacturer", "Mallory").code());
        Path attacker = root.resolve("attacker-mpr.der");
        Files.write(attacker, MprProfile.der(Pem.readCertificates(root.resolve("pki-d/manufacturer/mpr.pem"))));
        String index = "0x01800200";
        // the same write attributes as the real anchor (platform write, locked for good): only its
        // maker, the owner, differs, so only the PLATFORMCREATE and POLICY_DELETE rule can refuse it
        swtpm.tools("tpm2_nvdefine", "-C", "o", "-s", String.valueOf(Files.size(attacker)), "-a",
                "ppwrite|ownerread|authread|writedefine|no_da", index);
        swtpm.tools("tpm2_nvwrite", "-C", "p", "-i", attacker.toString(), index);
        swtpm.tools("tpm2_nvwritelock", "-C", "p", index);
        // firmware build refuses to take it over
        Run take = cli("firmware", "build", "--pki", root.resolve("pki-d").toString(), "--out", root.resolve("img-d")
                .toString(), "--keys", "tpm", "--tcti", tcti, "--anchor-mpr", "tpm-nv:" + index);
        assertEquals(take.output(), 1, take.code());
        assertTrue(take.output(), take.output().contains("the owner made it"));
        // a device told to trust it (as a replaced p1 would tell it) refuses it
        assertEquals(0, cli("firmware", "build", "--pki", root.resolve("pki-d").toString(), "--out", root.resolve("img-d")
                .toString(), "--keys", "tpm", "--tcti", tcti).code());
        Run boot = cli("device", "boot", "--image", root.resolve("img-d").toString(), "-Davocado.mpr.anchor=tpm-nv:" + index,
                "--batch");
        assertEquals(boot.output(), 1, boot.code());
        assertTrue(boot.output(), boot.output().contains("is not locked for good"));
    }

    @Test
    public void unreachableOrMistypedTpmFailsTheDeviceWithoutFallingBackToSoftwareKeys() throws Exception {
        Path root = tmp.getRoot().toPath();
        assertEquals(0, cli("pki", "init", "--out", root.resolve("pki-c").toString()).code());
        assertEquals(0, cli("firmware", "build", "--pki", root.resolve("pki-c").toString(), "--out",
                root.resolve("img-c").toString()).code());
        Run absent = cli("device", "boot", "--image", root.resolve("img-c").toString(), "--keys", "tpm", "--tcti",
                "swtpm:host=127.0.0.1,port=9", "--batch");
        assertEquals(absent.output(), 1, absent.code());
        assertTrue(absent.output(), absent.output().contains("[device] failed: key service tpm: TPM at "
                + "swtpm:host=127.0.0.1,port=9 is not reachable: Tss2_TctiLdr_Initialize"));
        assertFalse("no software key fallback", absent.output().contains("software keys in"));

        Run mistyped = cli("device", "boot", "--image", root.resolve("img-c").toString(), "--keys", "tpm", "--tcti",
                "not a tcti", "--batch");
        assertEquals(mistyped.output(), 1, mistyped.code());
        assertTrue(mistyped.output(), mistyped.output().contains("TCTI 'not a tcti' does not parse"));
    }

    /** tools/avocado, as a separate JVM with this test's classpath. */
    private static Run cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Davocado.home=" + System.getProperty("avocado.home"), "-cp", System.getProperty("java.class.path"),
                AvocadoCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("the command ended", p.waitFor(180, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }
}
