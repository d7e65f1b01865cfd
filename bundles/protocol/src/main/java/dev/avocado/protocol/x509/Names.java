package dev.avocado.protocol.x509;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/** Reading attributes of distinguished names. */
public final class Names {

    private Names() {
    }

    /**
     * A distinguished name for people: RFC 2253 order and syntax, with serialNumber spelled out (the
     * JDK prints it as a hex OID otherwise).
     */
    /** A distinguished name for messages and logs: RFC 2253, control characters escaped (peers choose subjects). */
    public static String display(X500Principal name) {
        return dev.avocado.protocol.io.Printable.of(
                name.getName(X500Principal.RFC2253, Map.of(Oids.SERIAL_NUMBER.getId(), "serialNumber")));
    }

    public static X500Name subject(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    /** The subject serialNumber attribute (2.5.4.5): the device serial of 802.1AR and RFC 8995. */
    public static Optional<String> serialNumber(X509Certificate cert) {
        return attribute(subject(cert), Oids.SERIAL_NUMBER);
    }

    public static Optional<String> attribute(X500Name name, ASN1ObjectIdentifier type) {
        for (RDN rdn : name.getRDNs(type)) {
            ASN1Encodable value = rdn.getFirst().getValue();
            return Optional.of(value instanceof ASN1String s ? s.getString() : value.toString());
        }
        return Optional.empty();
    }
}
