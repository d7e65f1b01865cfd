package dev.avocado.registrar;

import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.profile.ProfileException;
import dev.avocado.protocol.x509.CertPaths;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.HttpsServer.Exchange;
import dev.avocado.server.Rejection;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Who the TLS client is: an IDevID of a manufacturer this registrar trusts (its path built with that
 * manufacturer's known intermediates, so a pledge may send its IDevID alone), or an LDevID of this
 * domain.
 */
final class PledgeAuthentication {

    /** A pledge's IDevID and the manufacturer whose root it chains to. */
    record PledgeId(IdevidProfile.Idevid idevid, ManufacturerTrust manufacturer) {
    }

    private final List<ManufacturerTrust> manufacturers;
    private final X509Certificate domainCa;

    PledgeAuthentication(List<ManufacturerTrust> manufacturers, X509Certificate domainCa) {
        this.manufacturers = List.copyOf(manufacturers);
        this.domainCa = domainCa;
    }

    /** The pledge's TLS client certificate as an IDevID of a manufacturer this registrar trusts. */
    PledgeId idevid(Exchange ex) throws Rejection {
        if (ex.clientChain().isEmpty()) {
            throw new Rejection(401, "this needs the pledge's IDevID as TLS client certificate");
        }
        ProfileException last = null;
        for (ManufacturerTrust m : manufacturers) {
            try {
                return new PledgeId(IdevidProfile.check(ex.clientChain(), m, Instant.now()), m);
            } catch (ProfileException e) {
                last = e;
            }
        }
        throw new Rejection(403, "the TLS client certificate is not an IDevID of a manufacturer this registrar "
                + "trusts: " + (last == null ? "no manufacturer is configured" : last.getMessage()));
    }

    /** True when the TLS client presents a certificate of this domain (an LDevID, current or not). */
    boolean isLdevid(Exchange ex) {
        return !ex.clientChain().isEmpty() && CertPaths.issuedUnder(ex.clientChain(), List.of(domainCa));
    }

    /** The serial of the TLS client: an IDevID of a trusted manufacturer or an LDevID of this domain. */
    String deviceSerial(Exchange ex) throws Rejection {
        if (ex.clientChain().isEmpty()) {
            throw new Rejection(401, "this needs the device's IDevID or LDevID as TLS client certificate");
        }
        if (isLdevid(ex)) {
            return Names.serialNumber(ex.clientChain().get(0)).orElseThrow(() -> new Rejection(403,
                    "the LDevID has no serialNumber"));
        }
        return idevid(ex).idevid().serialNumber();
    }
}
