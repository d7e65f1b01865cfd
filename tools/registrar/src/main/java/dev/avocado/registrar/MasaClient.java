package dev.avocado.registrar;

import dev.avocado.protocol.brski.Brski;
import dev.avocado.protocol.brski.DomainCerts;
import dev.avocado.protocol.brski.RegistrarRequests;
import dev.avocado.protocol.brski.Vouchers;
import dev.avocado.protocol.http.Failures;
import dev.avocado.protocol.http.HttpsClient;
import dev.avocado.protocol.profile.IdevidProfile;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.Voucher;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import dev.avocado.protocol.x509.Names;
import dev.avocado.server.Pki;
import dev.avocado.server.Rejection;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C.4 to C.8: the registrar voucher request, signed in the registrar (cmcRA) role, to the MASA the
 * pledge's IDevID names, over TLS that takes only that manufacturer's MASA TLS role; the voucher taken
 * only from that manufacturer's MASA signer role, for this serial and nonce, pinning this domain.
 */
final class MasaClient {

    private static final Logger LOG = LoggerFactory.getLogger(MasaClient.class);

    /** A MASA as the registrar reaches it: the pledge's manufacturer (by identity) and the host. */
    private record MasaKey(ManufacturerTrust manufacturer, String host) {
    }

    private final Pki.Credential signer;
    private final Pki.Credential tls;
    private final TlsContexts.Credential tlsCredential;
    private final Duration retryAfter;
    /** One client per manufacturer and MASA host: each trusts only that manufacturer's MASA TLS role. */
    private final Map<MasaKey, HttpsClient> clients = new ConcurrentHashMap<>();

    /**
     * @param signer the registrar (cmcRA) credential with its chain
     * @param tls the registrar's TLS credential with its chain (the voucher must pin a domain it is in)
     * @param retryAfter what a 503 (MASA unreachable or failing) tells the pledge to wait
     */
    MasaClient(Pki.Credential signer, Pki.Credential tls, Duration retryAfter) {
        this.signer = signer;
        this.tls = tls;
        this.tlsCredential = new TlsContexts.Credential(tls.key(), tls.withChain());
        this.retryAfter = retryAfter;
    }

    /** A voucher as the MASA signed it, and what it says. */
    record Checked(byte[] cms, Voucher voucher) {
    }

    /** C.4 to C.8: the voucher for this pledge request, checked. */
    Checked voucher(PledgeAuthentication.PledgeId pledge, VoucherCms.Signed request, byte[] requestCms) throws Rejection {
        IdevidProfile.Idevid idevid = pledge.idevid();
        Voucher rvr = RegistrarRequests.create(OffsetDateTime.now(), request.voucher(), requestCms, idevid.certificate());
        byte[] signed;
        try {
            signed = VoucherCms.sign(rvr, signer.key(), null, signer.withChain());
        } catch (VoucherException e) {
            throw new IllegalStateException("the registrar cannot sign: " + e.getMessage(), e);
        }
        URI uri = URI.create(idevid.masaBase() + Brski.REQUEST_VOUCHER.substring(Brski.PATH.length()));
        HttpsClient.Response r;
        try {
            LOG.info("C.4 registrar voucher request for serial {} to {}", idevid.serialNumber(), uri);
            r = client(pledge.manufacturer(), uri.getHost()).post(uri, VoucherCms.MEDIA_TYPE, VoucherCms.MEDIA_TYPE, signed);
        } catch (IOException e) {
            throw new Rejection(503, "the MASA at " + uri + " cannot be reached: " + Failures.describe(e), retryAfter).at("C.4");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection(503, "the registrar is stopping", retryAfter).at("C.4");
        }
        if (r.status() >= 500) {
            throw new Rejection(503, "the MASA at " + uri + " answered HTTP " + r.status() + ": " + r.text(), retryAfter).at("C.5");
        }
        if (r.status() != 200) {
            throw new Rejection(403, "the MASA refused the voucher (HTTP " + r.status() + "): " + r.text()).at("C.5");
        }
        if (!VoucherCms.MEDIA_TYPE.equals(r.mediaType())) {
            throw new Rejection(502, "the MASA answered " + r.contentType() + ", not " + VoucherCms.MEDIA_TYPE).at("C.8");
        }
        VoucherCms.Signed voucher;
        try {
            // the MASA signer role of the pledge's own manufacturer: not another manufacturer's, not an IDevID
            voucher = Vouchers.verify(r.body(), pledge.manufacturer(), Instant.now());
            X509Certificate pinned = Vouchers.check(voucher, idevid.serialNumber(), request.voucher().nonce(), Instant.now());
            // the pledge's D.0 rule: the voucher must pin a certificate this registrar's TLS chain is in
            DomainCerts.checkInDomain(tls.withChain(), pinned, Instant.now());
            LOG.info("C.8 voucher for serial {} from {} verified: {}, pins {}", idevid.serialNumber(),
                    Names.display(voucher.signer().getSubjectX500Principal()), voucher.voucher().assertion(),
                    Names.display(pinned.getSubjectX500Principal()));
        } catch (VoucherException e) {
            throw new Rejection(502, "the MASA's voucher does not pass: " + e.getMessage()).at("C.8");
        }
        return new Checked(r.body(), voucher.voucher());
    }

    /** The threads of the exchanges with MASAs, named as the registrar's (they are its work). */
    private static final java.util.concurrent.ExecutorService EXCHANGES = java.util.concurrent.Executors.newCachedThreadPool(
            new java.util.concurrent.ThreadFactory() {
                private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "registrar-masa-client-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    /** TLS to a MASA in the manufacturer TLS server role of the pledge's manufacturer, named by the host. */
    private HttpsClient client(ManufacturerTrust manufacturer, String host) throws Rejection {
        try {
            return clients.computeIfAbsent(new MasaKey(manufacturer, host), k -> {
                try {
                    return new HttpsClient(TlsContexts.manufacturerServer(manufacturer, host, tlsCredential),
                            Duration.ofSeconds(5), Duration.ofSeconds(30), HttpsClient.DEFAULT_MAX_BODY, EXCHANGES);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (IllegalStateException e) {
            throw new Rejection(503, "no TLS context for the MASA at " + host + ": " + e.getMessage(), retryAfter);
        }
    }
}
