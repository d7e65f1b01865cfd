package dev.avocado.idevid.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.keys.DeviceKeys;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.Names;
import java.util.List;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code idevid:*}: the IDevID, whether it is well formed, and provisioning on demand. */
@Component(service = IdevidCommands.class, configurationPid = KeyService.SELECTION_PID, property = {
    "osgi.command.scope=idevid", "osgi.command.function=show", "osgi.command.function=verify",
    "osgi.command.function=provision"})
@DeviceKeys
public class IdevidCommands {

    @Reference
    private IdentityStore identity;

    @Reference
    private ManufacturerRootReader mpr;

    @Reference(name = DeviceKeys.REFERENCE)
    private KeyService keyService;

    @Reference
    private IdevidProvisioner provisioner;

    @Reference
    private DeviceClock clock;

    @Descriptor("show the IDevID: subject, serial number, MASA URL, key location, DPP URI, record")
    public String show() throws Exception {
        Optional<DeviceIdentity> id = identity.idevid();
        if (id.isEmpty()) {
            return "no IDevID (idevid:provision asks the manufacturer for one)\n";
        }
        DeviceIdentity idevid = id.get();
        StringBuilder out = new StringBuilder();
        out.append("subject:     ").append(Names.display(idevid.certificate().getSubjectX500Principal())).append('\n');
        out.append("issuer:      ").append(Names.display(idevid.certificate().getIssuerX500Principal())).append('\n');
        out.append("serial:      ").append(Names.serialNumber(idevid.certificate()).orElse("(none)")).append('\n');
        out.append("MASA URL:    ").append(IdevidProfile.masaUrl(idevid.certificate()).orElse("(none)")).append('\n');
        out.append("not after:   ").append(idevid.certificate().getNotAfter().toInstant()).append('\n');
        Optional<DeviceKey> key = keyService.find(idevid.keyAlias());
        out.append("key:         ").append(key.map(DeviceKey::location).orElse("MISSING: no key " + idevid.keyAlias()))
                .append('\n');
        out.append("file:        ").append(idevid.location()).append('\n');
        out.append("DPP URI:     ").append(identity.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.DPP)
                .orElse("(not made yet)")).append('\n');
        out.append("recorded:    ").append(identity.attribute(DeviceIdentity.Kind.IDEVID, IdevidProvisioning.RECORDED)
                .orElse("not yet (O.d)")).append('\n');
        return out.toString();
    }

    @Descriptor("check that the IDevID is well formed: under the MPR, of the 802.1AR profile, matching its key")
    public String verify() throws Exception {
        DeviceIdentity idevid = identity.idevid().orElseThrow(() -> new IllegalStateException("no IDevID"));
        try {
            List<X509Certificate> roots = mpr.read().certificates();
            IdevidProfile.Idevid checked = IdevidProfile.check(idevid.chain(), ManufacturerTrust.of(roots),
                    CheckTime.atLeast(clock::now).at(idevid.certificate(), idevid.chain(), roots));
            DeviceKey key = keyService.find(idevid.keyAlias()).orElseThrow(() -> new ProfileException("its key "
                    + idevid.keyAlias() + " is not in " + keyService.describe()));
            if (!key.publicKey().equals(idevid.certificate().getPublicKey())) {
                throw new ProfileException("it does not match key " + key.alias() + " at " + key.location());
            }
            return "well formed: serial " + checked.serialNumber() + ", MASA " + checked.masaUrl() + ", key at "
                    + key.location() + "\n";
        } catch (ProfileException e) {
            throw new IllegalStateException("not well formed: " + e.getMessage(), e);
        }
    }

    @Descriptor("ask the manufacturer for the IDevID now (or finish recording it); follow it with device:state")
    public String provision() {
        provisioner.provision();
        return "provisioning started; device:state shows each step\n";
    }
}
