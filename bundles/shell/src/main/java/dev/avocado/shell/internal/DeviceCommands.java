package dev.avocado.shell.internal;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.DeviceKeys;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.lifecycle.DeviceLifecycle;
import dev.avocado.api.lifecycle.StateChange;
import dev.avocado.api.lifecycle.StepRecord;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code device:*}: the state, keys and identity of the device; wipe and reboot. */
@Component(service = DeviceCommands.class, configurationPid = KeyService.SELECTION_PID, property = {
    "osgi.command.scope=device", "osgi.command.function=state", "osgi.command.function=keys",
    "osgi.command.function=identity", "osgi.command.function=steps", "osgi.command.function=events", "osgi.command.function=wipe",
    "osgi.command.function=reboot"})
@DeviceKeys
public class DeviceCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DeviceLifecycle lifecycle;

    /** The device's key service (its target: {@link DeviceKeys}). */
    @Reference(name = DeviceKeys.REFERENCE, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeyService keyService;

    /** Every key service that runs (the LDevID's may be another than the device's). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<KeyService> keyServices;

    @Reference
    private IdentityStore identity;

    @Reference
    private EventHistory history;

    @Descriptor("show the device state, why it is in it, and every transition since boot")
    public String state() {
        DeviceLifecycle l = lifecycle();
        StringBuilder out = new StringBuilder();
        out.append("state:   ").append(l.state().label()).append(l.settled() ? "" : " (in progress)").append('\n');
        out.append("reason:  ").append(l.reason()).append('\n');
        out.append("history:\n");
        for (StateChange c : l.history()) {
            out.append("  ").append(c.at()).append("  ").append(c.from().label()).append(" -> ").append(c.to().label())
                    .append(": ").append(c.reason()).append('\n');
        }
        return out.toString();
    }

    @Descriptor("show the latest step outcomes: when, step, outcome, where it ran (device or server), what happened")
    public String steps(@Descriptor("how many") @Parameter(names = {"-n", "--count"}, absentValue = "30") int count) {
        List<StepRecord> all = lifecycle().steps();
        StringBuilder out = new StringBuilder();
        for (StepRecord r : all.subList(Math.max(0, all.size() - Math.max(0, count)), all.size())) {
            out.append("  ").append(r.at()).append("  ").append(String.format("%-5s %-8s %-6s ", r.step().label(),
                    r.outcome().label(), r.site().name().toLowerCase(java.util.Locale.ROOT))).append(r.detail()).append('\n');
        }
        return out.length() == 0 ? "no steps reported since boot\n" : out.toString();
    }

    @Descriptor("show the device's key services, the keys each holds and where, and whether every private key is in secure storage")
    public String keys() throws Exception {
        KeyService ks = keyService;
        if (ks == null) {
            return "the device's key service is not running (keyService.target of " + KeyService.SELECTION_PID
                    + " selects it)\n";
        }
        StringBuilder out = new StringBuilder();
        List<KeyService> services = new java.util.ArrayList<>(List.of(ks));
        for (KeyService other : keyServices == null ? List.<KeyService>of() : keyServices) {
            if (!services.contains(other)) {
                services.add(other);
            }
        }
        int keys = 0;
        int insecure = 0;
        for (KeyService service : services) {
            List<DeviceKey> held = service.list();
            if (service != ks && held.isEmpty()) {
                continue;
            }
            out.append("key service ").append(service.type()).append(service == ks ? " (the device's)" : "").append(": ")
                    .append(service.describe())
                    .append(service.secureStorage() ? "" : "  ** private keys NOT in secure storage **").append('\n');
            if (held.isEmpty()) {
                out.append("  (no keys)\n");
            }
            for (DeviceKey k : held) {
                keys++;
                insecure += service.secureStorage() ? 0 : 1;
                out.append("  ").append(k.alias()).append(": ").append(k.algorithm()).append(" at ").append(k.location())
                        .append("\n    public key ").append(Format.key(k.publicKey())).append('\n');
            }
        }
        out.append(keys == 0 ? "no private keys yet\n" : insecure == 0 ? "every private key (" + keys + ") is in secure storage\n"
                : insecure + " of " + keys + " private keys are NOT in secure storage\n");
        return out.toString();
    }

    @Descriptor("show the IDevID and LDevID of the device")
    public String identity() throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("identity folder: ").append(identity.location()).append('\n');
        describe(out, "IDevID", identity.idevid());
        describe(out, "LDevID", identity.ldevid());
        return out.toString();
    }

    private static void describe(StringBuilder out, String label, Optional<DeviceIdentity> id) {
        if (id.isEmpty()) {
            out.append(label).append(": none\n");
            return;
        }
        X509Certificate c = id.get().certificate();
        out.append(label).append(": ").append(Format.subject(c)).append('\n');
        out.append("  issuer:   ").append(Format.issuer(c)).append('\n');
        out.append("  valid:    ").append(Format.validity(c)).append('\n');
        out.append("  key:      ").append(id.get().keyAlias()).append(", ").append(Format.key(c.getPublicKey())).append('\n');
        out.append("  file:     ").append(id.get().location()).append(" (").append(id.get().chain().size())
                .append(" certificates)\n");
    }

    @Descriptor("show the latest lifecycle events (states, steps, redeploys)")
    public String events(@Descriptor("how many") @Parameter(names = {"-n", "--count"}, absentValue = "20") int count) {
        StringBuilder out = new StringBuilder();
        for (String line : history.latest(count)) {
            out.append(line).append('\n');
        }
        return out.length() == 0 ? "no events yet\n" : out.toString();
    }

    @Descriptor("remove the LDevID, the IDevID and their keys, then reboot into provisioning")
    public String wipe() throws Exception {
        lifecycle().wipe();
        return "wiped: LDevID, IDevID and their keys removed; rebooting\n";
    }

    @Descriptor("restart the framework; partition one is checked again before it starts")
    public String reboot() {
        lifecycle().reboot();
        return "rebooting\n";
    }

    private DeviceLifecycle lifecycle() {
        DeviceLifecycle l = lifecycle;
        if (l == null) {
            throw new IllegalStateException("the boot state machine is not running (is the boot bundle started?)");
        }
        return l;
    }
}
