package dev.avocado.tpm.internal;

import dev.avocado.tpm.NvPublic;
import dev.avocado.tpm.Tpm;
import dev.avocado.tpm.TpmInfo;
import dev.avocado.tpm.TpmKey;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code tpm:*}: what the TPM is and holds. */
@Component(service = TpmCommands.class, property = {"osgi.command.scope=tpm", "osgi.command.function=info",
    "osgi.command.function=handles", "osgi.command.function=key"})
public class TpmCommands {

    @Reference
    private TpmKeyService tpm;

    @Descriptor("show the TPM: manufacturer, vendor, firmware version, TCTI, dictionary-attack counter")
    public String info() throws Exception {
        long commands = tpm.withTpm(Tpm::commandCount); // before this command's own
        TpmInfo info = tpm.withTpm(Tpm::info);
        return "manufacturer:     " + info.manufacturer() + "\n"
                + "vendor:           " + info.vendor() + "\n"
                + "firmware version: " + info.firmwareVersion() + "\n"
                + "spec revision:    " + info.specRevision() + "\n"
                + "TCTI:             " + tpm.keys().tcti() + "\n"
                + "lockout counter:  " + info.lockoutCounter() + " of " + info.maxAuthFail() + "\n"
                + "TPM commands:     " + commands + " on this connection before this command\n";
    }

    @Descriptor("list the persistent objects, NV indexes and transient objects in the TPM")
    public String handles() throws Exception {
        StringBuilder out = new StringBuilder();
        Map<Integer, String> aliases = new java.util.HashMap<>();
        tpm.keys().handles().forEach((alias, h) -> aliases.put(h, alias));
        out.append("persistent:\n");
        for (int h : tpm.withTpm(Tpm::persistentHandles)) {
            out.append(String.format("  0x%08x", h)).append(aliases.containsKey(h) ? "  key " + aliases.get(h) : "")
                    .append('\n');
        }
        out.append("NV indexes:\n");
        for (int h : tpm.withTpm(Tpm::nvIndexes)) {
            NvPublic nv = tpm.withTpm(t -> t.nv().readPublic(h));
            out.append(String.format("  0x%08x  %d bytes%s%n", h, nv.size(), nv.writeLocked() ? ", write-locked" : ""));
        }
        List<Integer> transients = tpm.withTpm(Tpm::transientHandles);
        out.append("transient: ").append(transients.isEmpty() ? "none" : transients.toString()).append('\n');
        return out.toString();
    }

    @Descriptor("show the public part of a device key in the TPM")
    public String key(@Descriptor("key alias (idevid, ldevid) or persistent handle (0x81......)") String which)
            throws Exception {
        int handle;
        String alias = which;
        if (which.startsWith("0x")) {
            handle = Tpm.handle(which);
        } else {
            Integer h = tpm.keys().handles().get(which);
            if (h == null) {
                return "no key '" + which + "'; configured: " + tpm.keys().handles() + "\n";
            }
            handle = h;
        }
        TpmKey key = tpm.withTpm(t -> t.readKey(handle));
        if (key == null) {
            return String.format("nothing at 0x%08x%n", handle);
        }
        String fp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.publicKey().getEncoded()));
        return "key:        " + alias + "\n"
                + "handle:     " + key.location() + "\n"
                + "algorithm:  " + key.algorithm() + "\n"
                + String.format("attributes: 0x%08x%n", key.attributes())
                + "public key: SHA-256 " + fp + "\n"
                + "            (tpm2_readpublic -c " + String.format("0x%08x", handle) + " shows the same key)\n";
    }

}
