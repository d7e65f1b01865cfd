package dev.avocado.factory;

import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;

/**
 * BouncyCastle's EST client (bcpkix org.bouncycastle.est), an implementation that is not ours, on the
 * JDK's TLS stack: for the factory's and the registrar's interop tests.
 */
public final class BcEst {

    private BcEst() {
    }

    /**
     * A client of the EST server at {@code authority} that trusts {@code anchor}, authenticated by
     * {@code key} and {@code chain} (or by nothing when the key is null).
     */
    public static ESTService client(String authority, X509Certificate anchor, KeyPair key, List<X509Certificate> chain)
            throws Exception {
        // the client looks BouncyCastle up by name (our code never registers it globally; a test is its process)
        if (Security.getProvider("BC") == null) {
            Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
        JsseESTServiceBuilder b = new JsseESTServiceBuilder(authority,
                JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(anchor, null)), null));
        if (key != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key.getPrivate(), "x".toCharArray(), chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "x".toCharArray());
            b.withKeyManagers(kmf.getKeyManagers());
        }
        return b.build();
    }

    /** The certificates of an answer, as JDK objects. */
    public static List<X509Certificate> certificates(Collection<X509CertificateHolder> holders) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (X509CertificateHolder h : holders) {
            out.add(new JcaX509CertificateConverter().getCertificate(h));
        }
        return out;
    }
}
