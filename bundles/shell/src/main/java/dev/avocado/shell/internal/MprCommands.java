package dev.avocado.shell.internal;

import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.mpr.MprException;
import java.security.cert.X509Certificate;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code mpr:show}: the manufacturer provisioning root the device trusts. */
@Component(service = MprCommands.class, property = {"osgi.command.scope=mpr", "osgi.command.function=show"})
public class MprCommands {

    @Reference
    private ManufacturerRootReader reader;

    @Descriptor("show the manufacturer provisioning root (MPR): subject, keys, provisioning address")
    public String show() throws MprException {
        ManufacturerRoot root = reader.read();
        StringBuilder out = new StringBuilder();
        out.append("MPR source:        ").append(root.source()).append('\n');
        out.append("MPR SHA-256:       ").append(root.sha256()).append('\n');
        out.append("Manufacturer:      ").append(root.subject()).append('\n');
        out.append("Provisioning:      ").append(root.provisioningUri()).append('\n');
        out.append("Anchored in:       ").append(root.anchor() == null ? "nothing (no unchangeable copy on this device)"
                : root.anchor() + ", matches").append('\n');
        int i = 1;
        for (X509Certificate c : root.certificates()) {
            out.append("Key ").append(i++).append(":             ").append(Format.key(c.getPublicKey())).append('\n');
            out.append("  certificate:     ").append(Format.subject(c)).append('\n');
            out.append("  valid:           ").append(Format.validity(c)).append('\n');
        }
        return out.toString();
    }
}
