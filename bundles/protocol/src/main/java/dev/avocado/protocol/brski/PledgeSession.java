package dev.avocado.protocol.brski;

import dev.avocado.protocol.est.Est;
import dev.avocado.protocol.est.EstException;
import dev.avocado.protocol.http.HttpsClient;
import dev.avocado.protocol.profile.ManufacturerTrust;
import dev.avocado.protocol.tls.TlsContexts;
import dev.avocado.protocol.voucher.VoucherCms;
import dev.avocado.protocol.voucher.VoucherException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import dev.avocado.protocol.x509.CheckTime;
import dev.avocado.protocol.x509.Names;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The pledge's side of BRSKI and EST on the wire (RFC 8995, RFC 7030) with one registrar, without
 * storage or retries: the device's onboarder and the load generator both drive it. Until a voucher
 * pins the domain, the only registrar trusted is the one whose certificate C.0 saw.
 */
public final class PledgeSession {

    /** The registrar's answer was not the one the step needs: its status, its reason, when to try again. */
    public static final class RegistrarAnswer extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient Duration retryAfter;
        private final String step;

        RegistrarAnswer(String what, HttpsClient.Response r) {
            super(what + ": the registrar answered HTTP " + r.status() + (r.text().isEmpty() ? "" : ": " + r.text()));
            this.status = r.status();
            this.retryAfter = r.retryAfter().orElse(null);
            this.step = r.headers().firstValue(Brski.STEP_HEADER).map(String::trim).orElse(null);
        }

        /** The step the registrar says refused ({@link Brski#STEP_HEADER}), as it wrote it, if it said. */
        public java.util.Optional<String> step() {
            return java.util.Optional.ofNullable(step);
        }

        public int status() {
            return status;
        }

        /** Retry-After, when the registrar said it (202 while approval is pending, 503). */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** A voucher that passed C.10. */
    public record Accepted(VoucherCms.Signed voucher, X509Certificate pinned) {
    }

    private final URI registrar;
    private final TlsContexts.Credential idevid;
    private final String serial;
    private final ManufacturerTrust manufacturer;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final CheckTime time;
    private X509Certificate registrarCert;
    /** The chain the registrar sent at C.0: the way from its certificate to the pinned domain certificate. */
    private List<X509Certificate> registrarChain;
    /** Trusts exactly the registrar certificate C.0 saw; once C.10 puts it in the pinned domain, that is D.0. */
    private HttpsClient registrarClient;
    private boolean domainPinned;

    /**
     * @param registrar the registrar's base URI (https://host:port)
     * @param idevid the IDevID key (a TPM key through its provider) and chain, for TLS client authentication
     *        and for signing the voucher request
     * @param manufacturer the MPR's roles: the voucher must be signed in its MASA signer role
     */
    public PledgeSession(URI registrar, TlsContexts.Credential idevid, String serial, ManufacturerTrust manufacturer,
            Duration connectTimeout, Duration requestTimeout) {
        this(registrar, idevid, serial, manufacturer, connectTimeout, requestTimeout, CheckTime.system());
    }

    /** @param time when certificates and the voucher are checked: a device's clock ({@link CheckTime#atLeast}) */
    public PledgeSession(URI registrar, TlsContexts.Credential idevid, String serial, ManufacturerTrust manufacturer,
            Duration connectTimeout, Duration requestTimeout, CheckTime time) {
        this.time = time;
        this.registrar = registrar;
        this.idevid = idevid;
        this.serial = serial;
        this.manufacturer = manufacturer;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    public URI registrar() {
        return registrar;
    }

    /**
     * C.0: a TLS handshake with the registrar, accepting it provisionally and remembering its
     * certificate. Only the registrar's certificate is wanted here, so this handshake offers no client
     * certificate: no IDevID signature (on a TPM the slowest part of a handshake), and the registrar
     * checks no chain for a connection that carries nothing. A registrar that insists on a client
     * certificate gets the IDevID. The connection that carries the voucher request authenticates with
     * the IDevID (BCJSSE does not resume TLS 1.3 sessions, so it is a full handshake; TLS 1.2 would
     * resume, but sends the IDevID in the clear: RFC 8995 section 10.2).
     */
    public X509Certificate connect() throws IOException {
        List<X509Certificate> seen;
        try {
            seen = probe(null);
        } catch (java.net.ConnectException | java.net.SocketTimeoutException e) {
            throw e; // no registrar there: the IDevID would not change that
        } catch (IOException e) {
            // refused without a client certificate: BCJSSE reports the server's alert as TlsFatalAlertReceived,
            // an IOException but no SSLHandshakeException (PledgeProbeTest, against SunJSSE demanding one)
            seen = probe(idevid);
        }
        if (seen == null || seen.isEmpty()) {
            throw new IOException("C.0: the registrar at " + registrar + " sent no certificate");
        }
        registrarChain = List.copyOf(seen);
        registrarCert = registrarChain.get(0);
        try {
            registrarClient = new HttpsClient(TlsContexts.pinned(registrarCert, idevid, time), connectTimeout, requestTimeout);
        } catch (GeneralSecurityException e) {
            throw new IOException("C.0: TLS context for the registrar: " + e.getMessage(), e);
        }
        return registrarCert;
    }

    /** One handshake with the registrar, provisional trust, {@code own} as client credential (null: none). */
    private List<X509Certificate> probe(TlsContexts.Credential own) throws IOException {
        SSLContext ctx;
        try {
            ctx = own == null ? TlsContexts.provisional() : TlsContexts.provisional(chain -> { }, own);
        } catch (GeneralSecurityException e) {
            throw new IOException("C.0: provisional TLS context: " + e.getMessage(), e);
        }
        int port = registrar.getPort() > 0 ? registrar.getPort() : 443;
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(registrar.getHost(), port), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) requestTimeout.toMillis());
            socket.startHandshake();
            List<X509Certificate> chain = new java.util.ArrayList<>();
            try {
                for (java.security.cert.Certificate c : socket.getSession().getPeerCertificates()) {
                    chain.add((X509Certificate) c);
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                return List.of(); // no certificate: connect() says so
            }
            return chain;
        }
    }

    /** C.1: the voucher request, signed by the IDevID key. */
    public byte[] voucherRequest(String nonce) throws VoucherException {
        requireConnected();
        // created-on is the device's now; no CMS signingTime: the registrar would check the IDevID at a
        // clock that may be years behind (docs/security.md, "A device that does not know the time")
        return VoucherCms.sign(PledgeRequests.create(time.now().atOffset(java.time.ZoneOffset.UTC), serial, nonce, registrarCert),
                idevid.key(), idevid.keyProvider(), idevid.chain(), false);
    }

    /** C.2 to C.9: sends the voucher request; the answer is the voucher (CMS, not yet checked). */
    public byte[] requestVoucher(byte[] request) throws IOException, InterruptedException, RegistrarAnswer {
        requireConnected();
        HttpsClient.Response r = registrarClient.post(registrar.resolve(Brski.REQUEST_VOUCHER), VoucherCms.MEDIA_TYPE,
                VoucherCms.MEDIA_TYPE, request);
        if (r.status() != 200) {
            throw new RegistrarAnswer("C.2 voucher request", r);
        }
        if (!VoucherCms.MEDIA_TYPE.equals(r.mediaType())) {
            throw new IOException("C.9: the registrar answered " + r.contentType() + ", not " + VoucherCms.MEDIA_TYPE);
        }
        return r.body();
    }

    /**
     * C.10: the voucher is signed by the MPR's MASA signer role (not merely under the MPR), for this serial and nonce, not expired, and the
     * registrar seen at C.0 is in the domain it pins (D.0 for the connection already made).
     */
    public Accepted acceptVoucher(byte[] voucher, String nonce, Instant now) throws VoucherException {
        return acceptVoucher(voucher, nonce, CheckTime.fixed(now));
    }

    /** {@link #acceptVoucher(byte[], String, Instant)} at this session's time. */
    public Accepted acceptVoucher(byte[] voucher, String nonce) throws VoucherException {
        return acceptVoucher(voucher, nonce, time);
    }

    private Accepted acceptVoucher(byte[] voucher, String nonce, CheckTime time) throws VoucherException {
        requireConnected();
        VoucherCms.Signed signed = Vouchers.verify(voucher, manufacturer, time);
        // expires-on at the instant the signer was checked at (its path to the MASA anchor): one time
        // for the whole voucher
        X509Certificate pinned = Vouchers.check(signed, serial, nonce,
                time.at(signed.signer(), signed.certificates(), manufacturer.voucherAnchors()));
        try {
            pinned.checkValidity(java.util.Date.from(time.at(List.of(pinned))));
        } catch (java.security.cert.CertificateException e) {
            throw new VoucherException("the pinned-domain-cert " + Names.display(pinned.getSubjectX500Principal())
                    + " is not valid: " + e.getMessage(), e);
        }
        DomainCerts.checkInDomain(registrarChain, pinned, time.at(registrarChain.get(0), registrarChain, List.of(pinned)));
        // the connection already trusts exactly this certificate, now shown to be in the domain: it
        // stays, and no second handshake (a second signature by the IDevID key) is needed
        domainPinned = true;
        return new Accepted(signed, pinned);
    }

    /** voucher_status (RFC 8995 section 5.7): after C.10, success or not. */
    public void voucherStatus(boolean ok, String reason) throws IOException, InterruptedException, RegistrarAnswer {
        requireConnected();
        report(registrarClient, Brski.VOUCHER_STATUS, ok, reason, "voucher_status");
    }

    /** D.3 cacerts: the domain's CA certificates, over TLS now trusted through the pinned certificate. */
    public List<X509Certificate> cacerts() throws IOException, InterruptedException, RegistrarAnswer, EstException {
        HttpsClient.Response r = requireDomain().get(registrar.resolve(Est.CACERTS), Est.CERTS_ONLY);
        if (r.status() != 200) {
            throw new RegistrarAnswer("EST cacerts", r);
        }
        return Est.parseCertsOnly(r.body());
    }

    /** csrattrs: the key algorithm the domain CA asks for ("EC_P256", "RSA_2048"). */
    public String csrKeyAlgorithm() throws IOException, InterruptedException, RegistrarAnswer, EstException {
        HttpsClient.Response r = requireDomain().get(registrar.resolve(Est.CSRATTRS), Est.CSRATTRS_TYPE);
        if (r.status() == 204 || r.status() == 404) {
            return "EC_P256"; // RFC 7030 section 4.5.2: nothing to ask for
        }
        if (r.status() != 200) {
            throw new RegistrarAnswer("EST csrattrs", r);
        }
        return Est.keyAlgorithm(r.body());
    }

    /** D.3 to D.6: simpleenroll, client-authenticated by the IDevID; the answer's certificates, not yet checked. */
    public List<X509Certificate> enroll(PKCS10CertificationRequest csr)
            throws IOException, InterruptedException, RegistrarAnswer, EstException {
        return enroll(requireDomain(), registrar, csr, Est.SIMPLEENROLL);
    }

    /** enrollstatus (RFC 8995 section 5.9.4). */
    public void enrollStatus(boolean ok, String reason) throws IOException, InterruptedException, RegistrarAnswer {
        report(requireDomain(), Brski.ENROLL_STATUS, ok, reason, "enrollstatus");
    }

    /**
     * simplereenroll with the current LDevID as TLS client certificate, to a registrar of the domain.
     *
     * @param domainAnchors the domain CA certificates (from cacerts)
     */
    public static List<X509Certificate> reenroll(URI registrar, TlsContexts.Credential ldevid, List<X509Certificate> domainAnchors,
            PKCS10CertificationRequest csr, Duration connectTimeout, Duration requestTimeout)
            throws IOException, InterruptedException, RegistrarAnswer, EstException {
        HttpsClient http;
        try {
            http = new HttpsClient(TlsContexts.create(domainAnchors, ldevid), connectTimeout, requestTimeout);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS context for re-enrollment: " + e.getMessage(), e);
        }
        return enroll(http, registrar, csr, Est.SIMPLEREENROLL);
    }

    /** {@link #reenroll(URI, TlsContexts.Credential, List, PKCS10CertificationRequest, Duration, Duration)}, the
     * registrar's chain checked at {@code time} (a device's clock). */
    public static List<X509Certificate> reenroll(URI registrar, TlsContexts.Credential ldevid, List<X509Certificate> domainAnchors,
            PKCS10CertificationRequest csr, Duration connectTimeout, Duration requestTimeout, CheckTime time)
            throws IOException, InterruptedException, RegistrarAnswer, EstException {
        HttpsClient http;
        try {
            http = new HttpsClient(TlsContexts.create(domainAnchors, ldevid, time), connectTimeout, requestTimeout);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS context for re-enrollment: " + e.getMessage(), e);
        }
        return enroll(http, registrar, csr, Est.SIMPLEREENROLL);
    }

    private static List<X509Certificate> enroll(HttpsClient http, URI registrar, PKCS10CertificationRequest csr, String path)
            throws IOException, InterruptedException, RegistrarAnswer, EstException {
        HttpsClient.Response r = http.post(registrar.resolve(path), Est.PKCS10, Est.CERTS_ONLY, Est.csr(csr));
        if (r.status() != 200) {
            throw new RegistrarAnswer("EST " + path.substring(path.lastIndexOf('/') + 1), r);
        }
        return Est.parseCertsOnly(r.body());
    }

    private void report(HttpsClient http, String path, boolean ok, String reason, String what)
            throws IOException, InterruptedException, RegistrarAnswer {
        byte[] body = new StatusReport("1", ok, reason, Map.of()).toJson();
        HttpsClient.Response r = http.post(registrar.resolve(path), "application/json", "*/*", body);
        if (r.status() / 100 != 2) {
            throw new RegistrarAnswer(what, r);
        }
    }

    private void requireConnected() {
        if (registrarCert == null) {
            throw new IllegalStateException("C.0 first: connect()");
        }
    }

    private HttpsClient requireDomain() {
        if (!domainPinned) {
            throw new IllegalStateException("D.0 needs an accepted voucher first: acceptVoucher()");
        }
        return registrarClient;
    }
}
