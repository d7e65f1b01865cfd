package dev.avocado.brski.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The pledge's configuration (the component also reads dev.avocado.keys for the IDevID key). */
@ObjectClassDefinition(pid = BrskiOnboarder.PID, name = "Avocado BRSKI pledge",
        description = "How the device finds its owner's registrar, enrolls for an LDevID and joins the network")
public @interface BrskiConfig {

    @AttributeDefinition(name = "Registrar", description = "The registrar's address (https://host:port); empty: "
            + "discover it with DNS-SD (_brski-registrar._tcp). With a DNS-SD interface set too, it is tried after "
            + "the registrars DNS-SD finds")
    String registrarUrl() default "";

    @AttributeDefinition(name = "DNS-SD interface", description = "The address of the interface to browse DNS-SD on; "
            + "empty: the host's default")
    String dnsSdAddress() default "";

    @AttributeDefinition(name = "Discovery time", description = "Seconds to browse DNS-SD for registrars per attempt")
    int discoverySeconds() default 6;

    @AttributeDefinition(name = "LDevID key service", description = "Filter selecting the key service of the LDevID "
            + "key. The firmware sets it (dev.avocado.keys, from avocado.ldevid.keys): (avocado.keys.type=pkcs11), the "
            + "TPM through tpm2-pkcs11, on a device with a TPM; software keys otherwise")
    String ldevidKeyService_target() default "(avocado.keys.type=soft)";

    @AttributeDefinition(name = "Link", description = "What E.1 writes the EAP-TLS profile for: wifi (the network "
            + "named by ssid) or wired (IEEE 802.1X on the Ethernet port)")
    String link() default "wifi";

    @AttributeDefinition(name = "Wi-Fi network", description = "SSID of the owner's WPA2/WPA3-Enterprise network (E.1)")
    String ssid() default "avocado";

    @AttributeDefinition(name = "RADIUS server name", description = "The DNS name the RADIUS server's certificate "
            + "must carry (subjectAltName), which E.1 writes into both profiles; empty: radius. followed by the domain "
            + "of the configured registrar's DNS name (registrar.example.com gives radius.example.com)")
    String radiusServer() default "";

    @AttributeDefinition(name = "Network profile folder", description = "Where E.1 writes the wpa_supplicant block, "
            + "the NetworkManager keyfile and their certificates; empty: network/ on the data partition")
    String networkFolder() default "";

    @AttributeDefinition(name = "Renewal point", description = "Percent of the LDevID's lifetime after which it is "
            + "renewed (simplereenroll)")
    int renewAtPercent() default 66;

    @AttributeDefinition(name = "First retry", description = "Seconds before the first retry")
    int retryInitialSeconds() default 1;

    @AttributeDefinition(name = "Longest retry", description = "Longest wait between retries, in seconds")
    int retryMaxSeconds() default 30;

    @AttributeDefinition(name = "Longest approval wait", description = "Seconds one registrar may hold the voucher "
            + "request (HTTP 202) before the pledge moves on to the next registrar it found")
    int approvalWaitSeconds() default 600;

    @AttributeDefinition(name = "Connect timeout", description = "Seconds")
    int connectTimeoutSeconds() default 5;

    @AttributeDefinition(name = "Request timeout", description = "Seconds (the registrar waits for the MASA)")
    int requestTimeoutSeconds() default 60;
}
