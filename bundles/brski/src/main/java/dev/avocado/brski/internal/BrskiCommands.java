package dev.avocado.brski.internal;

import dev.avocado.api.clock.DeviceClock;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.identity.IdentityStore;
import dev.avocado.api.keys.DeviceKey;
import dev.avocado.api.mpr.ManufacturerRootReader;
import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code brski:*}: onboarding as the device sees it: the voucher, the LDevID, the network profile. */
@Component(service = BrskiCommands.class, property = {"osgi.command.scope=brski", "osgi.command.function=status",
    "osgi.command.function=voucher", "osgi.command.function=ldevid", "osgi.command.function=network",
    "osgi.command.function=onboard", "osgi.command.function=renew", "osgi.command.function=wipe"})
public class BrskiCommands {

    @Reference
    private DeviceClock clock;

    @Reference
    private BrskiOnboarder onboarder;

    @Reference
    private IdentityStore identity;

    @Reference
    private ManufacturerRootReader mpr;

    @Descriptor("onboarding at a glance: running or not, the registrar, the LDevID and when it is renewed")
    public String status() throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("onboarding:  ").append(onboarder.running() ? "running (device:state shows the step)" : "not running")
                .append('\n');
        String configured = onboarder.config().registrarUrl();
        out.append("discovery:   ").append(configured.isBlank() ? "DNS-SD " + RegistrarFinder.SERVICE
                : "configured " + configured).append('\n');
        Optional<DeviceIdentity> ldevid = identity.ldevid();
        if (ldevid.isEmpty()) {
            out.append("LDevID:      none yet\n");
            return out.toString();
        }
        out.append("registrar:   ").append(identity.attribute(DeviceIdentity.Kind.LDEVID, Onboarding.REGISTRAR).orElse("?"))
                .append('\n');
        out.append("LDevID:      ").append(Names.display(ldevid.get().certificate().getSubjectX500Principal()))
                .append(", until ").append(ldevid.get().certificate().getNotAfter().toInstant()).append('\n');
        out.append("renewal:     ").append(onboarder.renewalDue() == null ? "not scheduled" : onboarder.renewalDue())
                .append('\n');
        out.append("network:     ").append(onboarder.networkFolder()).append('\n');
        return out.toString();
    }

    @Descriptor("the voucher the device accepted: its JSON, its signer, whether its signer still holds the MPR's MASA signer role")
    public String voucher() throws Exception {
        Optional<String> b64 = identity.attribute(DeviceIdentity.Kind.LDEVID, Onboarding.VOUCHER);
        if (b64.isEmpty()) {
            return "no voucher (the device is not onboarded)\n";
        }
        byte[] der = Base64.getDecoder().decode(b64.get());
        StringBuilder out = new StringBuilder();
        try {
            VoucherCms.Signed signed = Vouchers.verify(der, ManufacturerTrust.of(mpr.read().certificates()),
                    CheckTime.atLeast(clock::now));
            Voucher v = signed.voucher();
            out.append("signer:      ").append(Names.display(signed.signer().getSubjectX500Principal()))
                    .append(" (in the MPR's MASA signer role)\n");
            out.append("assertion:   ").append(v.assertion()).append('\n');
            out.append("serial:      ").append(v.serialNumber()).append('\n');
            out.append("nonce:       ").append(v.nonce()).append('\n');
            out.append("created:     ").append(v.createdOn()).append('\n');
            out.append("expires:     ").append(v.expiresOn() == null ? "(never)" : v.expiresOn()).append('\n');
            out.append("pinned:      ").append(Names.display(Vouchers.pinned(v).getSubjectX500Principal())).append('\n');
            out.append("json:        ").append(new String(signed.json(), StandardCharsets.UTF_8)).append('\n');
        } catch (VoucherException e) {
            out.append("the saved voucher does not verify: ").append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    @Descriptor("the LDevID: subject, issuer, validity, key location")
    public String ldevid() throws Exception {
        Optional<DeviceIdentity> id = identity.ldevid();
        if (id.isEmpty()) {
            return "no LDevID (brski:onboard asks the registrar for one)\n";
        }
        DeviceIdentity l = id.get();
        Optional<DeviceKey> key = onboarder.ldevidKeys().find(l.keyAlias());
        return "subject:     " + Names.display(l.certificate().getSubjectX500Principal()) + "\n"
                + "issuer:      " + Names.display(l.certificate().getIssuerX500Principal()) + "\n"
                + "serial:      " + l.certificate().getSerialNumber().toString(16) + "\n"
                + "valid:       " + l.certificate().getNotBefore().toInstant() + " to " + l.certificate().getNotAfter().toInstant()
                + "\n"
                + "key:         " + key.map(DeviceKey::location).orElse("MISSING: no key " + l.keyAlias()) + "\n"
                + "file:        " + l.location() + "\n";
    }

    @Descriptor("the EAP-TLS network profile (E.1): the wpa_supplicant block and the NetworkManager keyfile")
    public String network() throws Exception {
        Path folder = onboarder.networkFolder();
        Path wpa = folder.resolve(NetworkProfile.WPA_SUPPLICANT);
        Path nm = folder.resolve(NetworkProfile.NETWORK_MANAGER);
        if (!Files.exists(wpa)) {
            return "no network profile in " + folder + " (written at E.1)\n";
        }
        return "# " + wpa + "\n" + Files.readString(wpa) + "\n# " + nm + "\n" + Files.readString(nm);
    }

    @Descriptor("run onboarding now (again): a new voucher and a new LDevID; follow it with device:state")
    public String onboard() {
        onboarder.onboard();
        return "onboarding started; device:state and device:events show each step\n";
    }

    @Descriptor("renew the LDevID now (EST simplereenroll)")
    public String renew() throws Exception {
        DeviceIdentity renewed = onboarder.renewNow().getValue();
        return "LDevID renewed: serial " + renewed.certificate().getSerialNumber().toString(16) + ", until "
                + renewed.certificate().getNotAfter().toInstant() + "\n";
    }

    @Descriptor("remove the network profile, the LDevID, the IDevID and their keys, and reboot into provisioning")
    public String wipe() throws Exception {
        onboarder.wipe();
        return "wiped; rebooting into provisioning\n";
    }
}
