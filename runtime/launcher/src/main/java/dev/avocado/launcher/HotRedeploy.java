package dev.avocado.launcher;

import dev.avocado.api.firmware.FirmwareSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Hot redeploy is a property of the image ({@code firmware build --hot-redeploy} sets it in the signed
 * p1): without it the deploy folder is not watched at all. With it, every jar found there at boot
 * must carry its signature by the firmware signer, and any other file but a signature is refused:
 * refused files are moved to {@code data/refused} before the framework starts (FileInstall installs
 * any file that looks like a bundle, whatever its name, and could do so before the boot bundle's
 * installer, which checks what arrives later, is there).
 */
final class HotRedeploy {

    /** Where refused files go, outside the watched folder. */
    static final String REFUSED = "refused";

    private HotRedeploy() {
    }

    static boolean enabled(Map<String, String> settings) {
        return Boolean.parseBoolean(settings.get(FirmwareSignature.HOT_REDEPLOY));
    }

    /** Checks the deploy folder at boot; returns what to tell. */
    static List<String> screen(DeviceImage image, boolean enabled, PublicKey signer) throws IOException {
        List<String> said = new ArrayList<>();
        if (!enabled) {
            said.add("[launcher] hot redeploy: off (a production image: data/deploy is not read)");
            return said;
        }
        said.add("[launcher] hot redeploy: ON (a demo image: builds in data/deploy signed by the firmware signer replace "
                + "partition two bundles)");
        if (!Files.isDirectory(image.deploy())) {
            return said;
        }
        List<Path> found;
        try (Stream<Path> files = Files.list(image.deploy())) {
            found = files.filter(f -> !f.getFileName().toString().endsWith(FirmwareSignature.SUFFIX)).sorted().toList();
        }
        for (Path file : found) {
            String name = file.getFileName().toString();
            String why = null;
            if (!name.endsWith(".jar") || !Files.isRegularFile(file)) {
                why = "only NAME.jar with its signature NAME.jar.sig is taken from data/deploy";
            } else {
                try {
                    FirmwareSignature.verified(file, signer);
                } catch (IOException e) {
                    why = e.getMessage();
                }
            }
            if (why != null) {
                Path aside = Files.createDirectories(image.data().resolve(REFUSED)).resolve(name);
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                said.add("[launcher] refused data/deploy/" + name + ": " + why + "; moved to data/" + REFUSED + "/");
            }
        }
        return said;
    }
}
