package dev.avocado.tools;

import dev.avocado.server.Pki;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "firmware", description = "Device images.", mixinStandardHelpOptions = true,
        subcommands = {FirmwareCommand.Build.class, FirmwareCommand.Sign.class})
final class FirmwareCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds a device image: p1 (read-only firmware with the MPR and a signed manifest), "
                    + "p2 (onboarding bundles), data (empty).")
    static final class Build implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @Option(names = "--out", required = true, paramLabel = "IMAGE", description = "The image folder to create.")
        Path out;

        @Option(names = "--mpr", paramLabel = "FILE",
                description = "Put this file on p1 as the MPR instead of the PKI's (it must still issue the firmware signer).")
        Path mpr;

        @Option(names = "--force", description = "Replace an existing image.")
        boolean force;

        @Option(names = "--keys", paramLabel = "soft|tpm", defaultValue = "soft",
                description = "The key service the device uses. Default: ${DEFAULT-VALUE}.")
        String keys;

        @Option(names = "--tcti", paramLabel = "TCTI",
                description = "With --keys tpm: how the device reaches its TPM (device:/dev/tpmrm0, swtpm:port=2321).")
        String tcti;

        @Option(names = "--anchor-mpr", arity = "0..1", paramLabel = "tpm-nv:INDEX", fallbackValue = MprAnchoring.DEFAULT,
                description = "Write the MPR into the device's TPM NV index and write-lock it for good; the firmware "
                        + "then refuses any other MPR. Needs --keys tpm and --tcti. Default index: " + MprAnchoring.DEFAULT + ".")
        String anchorMpr;

        @Option(names = "--anchor-content", paramLabel = "certificate|digest", defaultValue = "certificate",
                description = "What the NV index holds: the MPR certificates (the device can read its MPR from NV) or "
                        + "their SHA-256. Default: ${DEFAULT-VALUE}.")
        String anchorContent;

        @Option(names = "--hot-redeploy", description = "DEMO IMAGES: builds in data/deploy that the firmware signer "
                + "signed (firmware sign) replace partition two bundles while the device runs. Without it (production) "
                + "the device never reads data/deploy.")
        boolean hotRedeploy;

        @Option(names = "--serial", paramLabel = "SERIAL",
                description = "The device's serial number, for its IDevID (otherwise the device reads its configured source).")
        String serial;

        @Override
        public Integer call() throws Exception {
            MprAnchoring.Content content = MprAnchoring.Content.valueOf(anchorContent.toUpperCase(java.util.Locale.ROOT));
            new ImageBuilder(new Pki(pki), Home.partitions(), System.out).hotRedeploy(hotRedeploy).build(out, mpr, force,
                    keys, tcti, anchorMpr, content, serial);
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Signs bundles for hot redeploy with the firmware signing key: writes JAR.sig beside each "
                    + "(openssl dgst -sha256 -verify checks it). Copy the .sig into data/deploy first, then the jar.")
    static final class Sign implements Callable<Integer> {

        @Option(names = "--pki", required = true, paramLabel = "DIR", description = "The PKI made by 'pki init'.")
        Path pki;

        @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "JAR")
        java.util.List<Path> jars;

        @Override
        public Integer call() throws Exception {
            Pki.Credential signer = new Pki(pki).load(Pki.MANUFACTURER, Pki.FIRMWARE_SIGNER);
            for (Path jar : jars) {
                Path sig = ImageBuilder.sign(jar, signer);
                AdminForward.out().println("signed " + jar + ": " + sig);
            }
            return 0;
        }
    }
}
