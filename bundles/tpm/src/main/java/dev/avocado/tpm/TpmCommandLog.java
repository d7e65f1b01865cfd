package dev.avocado.tpm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The commands a software TPM received, read from its own log ({@code swtpm --log file=F,level=20}, which
 * dumps every command it reads): the count of a flow from the TPM's side, whichever stacks sent it (ESYS,
 * tpm2-pkcs11, a resource manager, the kernel's). For the tools and the tests, never the device.
 */
public final class TpmCommandLog {

    /** TPM 2.0 part 2: TPM2_Sign. */
    public static final int SIGN = 0x15D;

    /** swtpm's options that make it write the log this class reads. */
    public static List<String> swtpmOptions(Path log) {
        return List.of("--log", "file=" + log + ",level=20");
    }

    private TpmCommandLog() {
    }

    /** The command codes in the log, in order: each command is a read whose bytes 6 to 9 are its code. */
    public static List<Integer> commands(Path log) throws IOException {
        List<Integer> codes = new ArrayList<>();
        if (!Files.exists(log)) {
            return codes;
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("SWTPM_IO_Read:")) {
                String[] b = lines.get(i + 1).strip().split("\\s+");
                if (b.length >= 10) {
                    codes.add(Integer.parseInt(b[6] + b[7] + b[8] + b[9], 16));
                }
            }
        }
        return codes;
    }

    /** "0x15D:6 0x157:12 ...": how often each command code came, in order of first use. */
    public static String byCode(List<Integer> codes) {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        codes.forEach(c -> counts.merge(c, 1L, Long::sum));
        StringBuilder b = new StringBuilder();
        counts.forEach((c, n) -> b.append(String.format("0x%03X:%d ", c, n)));
        return b.toString().strip();
    }
}
