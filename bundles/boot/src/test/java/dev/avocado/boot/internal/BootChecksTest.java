package dev.avocado.boot.internal;

import dev.avocado.protocol.x509.CheckTime;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.identity.DeviceIdentity;
import dev.avocado.api.keys.KeyService;
import dev.avocado.api.mpr.ManufacturerRoot;
import dev.avocado.api.provisioning.IdevidProvisioner;
import dev.avocado.api.testing.MemoryKeys;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.MprProfile;
import dev.avocado.protocol.x509.CertificateBuilder;
import dev.avocado.protocol.x509.KeyPairs;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.Test;
import org.osgi.util.promise.Promise;

/** The boot's decisions with real certificates and keys, no framework. */
public class BootChecksTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Instant FROM = NOW.minus(Duration.ofDays(1));

    private final KeyPair rootKey = KeyPairs.ecP256();
    private final X509Certificate root = MprProfile.issue(rootKey, "CN=Acme Root,O=Acme", "https://factory.acme.test:8443",
            FROM, NOW.plus(Duration.ofDays(3650)));
    private final ManufacturerRoot mpr = new ManufacturerRoot(List.of(root), URI.create("https://factory.acme.test:8443"),
            "p1/mpr/mpr.pem", "00", null);
    private final KeyPair caKey = KeyPairs.ecP256();
    private final X509Certificate ca = CertificateBuilder.subject("CN=Acme IDevID CA,O=Acme", caKey.getPublic())
            .issuer(root, rootKey.getPrivate()).validity(FROM, NOW.plus(Duration.ofDays(3650))).ca(0)
            .keyUsage(KeyUsage.keyCertSign).build();
    private final MemoryKeys keys = new MemoryKeys();

    private DeviceIdentity idevid(KeyPair device, String serial) {
        X509Certificate cert = IdevidProfile.issue(ca, caKey.getPrivate(), null, IdevidProfile.subject("Acme", null, serial),
                device.getPublic(), "masa.acme.test", FROM);
        return new DeviceIdentity(DeviceIdentity.Kind.IDEVID, List.of(cert, ca), KeyService.IDEVID, "data/identity/idevid.pem");
    }

    @Test
    public void aGoodIdevidWithItsKeyIsUsable() throws Exception {
        KeyPair device = keys.put(KeyService.IDEVID, KeyPairs.ecP256());
        IdevidProfile.Idevid checked = BootChecks.usable(mpr, idevid(device, "SN-1"), keys, CheckTime.fixed(NOW));
        assertEquals("SN-1", checked.serialNumber());
        assertEquals("masa.acme.test", checked.masaUrl());
    }

    @Test
    public void anIdevidWithoutItsKeyIsRefusedNamingTheKey() {
        DeviceIdentity id = idevid(KeyPairs.ecP256(), "SN-1");
        BootChecks.Refusal e = assertThrows(BootChecks.Refusal.class, () -> BootChecks.usable(mpr, id, keys, CheckTime.fixed(NOW)));
        assertEquals("IDevID at data/identity/idevid.pem has no private key: no key 'idevid' in memory keys", e.getMessage());
    }

    @Test
    public void anIdevidForAnotherKeyIsRefused() {
        keys.put(KeyService.IDEVID, KeyPairs.ecP256());
        DeviceIdentity id = idevid(KeyPairs.ecP256(), "SN-1");
        BootChecks.Refusal e = assertThrows(BootChecks.Refusal.class, () -> BootChecks.usable(mpr, id, keys, CheckTime.fixed(NOW)));
        assertEquals("IDevID at data/identity/idevid.pem does not match key 'idevid' at memory:idevid", e.getMessage());
    }

    /** Someone with write access to the data partition puts an IDevID from their own CA there. */
    @Test
    public void anIdevidUnderAnotherRootIsNotWellFormed() {
        KeyPair device = keys.put(KeyService.IDEVID, KeyPairs.ecP256());
        KeyPair otherKey = KeyPairs.ecP256();
        X509Certificate other = MprProfile.issue(otherKey, "CN=Acme Root,O=Acme", "https://factory.acme.test:8443",
                FROM, NOW.plus(Duration.ofDays(3650)));
        X509Certificate forged = IdevidProfile.issue(other, otherKey.getPrivate(), null,
                IdevidProfile.subject("Acme", null, "SN-1"), device.getPublic(), "masa.evil.test", FROM);
        DeviceIdentity id = new DeviceIdentity(DeviceIdentity.Kind.IDEVID, List.of(forged), KeyService.IDEVID, "idevid.pem");
        BootChecks.Refusal e = assertThrows(BootChecks.Refusal.class, () -> BootChecks.usable(mpr, id, keys, CheckTime.fixed(NOW)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("IDevID at idevid.pem is not well formed: ")
                && e.getMessage().contains("does not chain to the manufacturer root"));
    }

    /** An MPR that holds only a MASA anchor names no manufacturer root: nothing under it is trusted. */
    @Test
    public void anMprWithoutARootIsRefusedNamingTheMpr() {
        X509Certificate masa = MprProfile.issueVoucherAnchor(KeyPairs.ecP256(), "CN=Acme MASA", FROM, NOW.plus(Duration.ofDays(1)));
        ManufacturerRoot bad = new ManufacturerRoot(List.of(masa), URI.create("https://x.test"), "p1/mpr/mpr.pem", "00", null);
        KeyPair device = keys.put(KeyService.IDEVID, KeyPairs.ecP256());
        BootChecks.Refusal e = assertThrows(BootChecks.Refusal.class,
                () -> BootChecks.usable(bad, idevid(device, "SN-1"), keys, CheckTime.fixed(NOW)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("MPR p1/mpr/mpr.pem: the MPR holds no manufacturer root"));
    }

    @Test
    public void theWayFollowsTheIdentityAndTheProvisioner() {
        DeviceIdentity id = idevid(KeyPairs.ecP256(), "SN-1");
        assertEquals(BootChecks.Way.AWAIT_PROVISIONER, BootChecks.way(Optional.empty(), null));
        assertEquals(BootChecks.Way.PROVISION, BootChecks.way(Optional.empty(), provisioner(false)));
        assertEquals(BootChecks.Way.FINISH_PROVISIONING, BootChecks.way(Optional.of(id), provisioner(false)));
        assertEquals(BootChecks.Way.CHECK_IDEVID, BootChecks.way(Optional.of(id), provisioner(true)));
        // partition one without a provisioner (a firmware that never provisions) still boots a provisioned device
        assertEquals(BootChecks.Way.CHECK_IDEVID, BootChecks.way(Optional.of(id), null));
    }

    private static IdevidProvisioner provisioner(boolean complete) {
        return new IdevidProvisioner() {
            @Override
            public Promise<DeviceIdentity> provision() {
                throw new UnsupportedOperationException("the way is decided without provisioning");
            }

            @Override
            public boolean complete() {
                return complete;
            }
        };
    }
}
