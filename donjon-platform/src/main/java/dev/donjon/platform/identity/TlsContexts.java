package dev.donjon.platform.identity;

import dev.donjon.platform.PlatformException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * TLS 1.3 contexts for a Keep's identity: its private key with the chain it was issued (leaf first), and the trust
 * anchors peers are checked against (absent: the JDK's default anchors). The key lives only in an in-memory key
 * store with a throw-away password.
 */
public final class TlsContexts {

    private TlsContexts() {}

    public static SSLContext of(PrivateKey key, List<X509Certificate> chain, Optional<List<X509Certificate>> trustAnchors)
            throws PlatformException {
        if (chain.isEmpty()) throw new IllegalArgumentException("a certificate chain needs at least the leaf");
        try {
            char[] password = new char[32];
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < password.length; i++) password[i] = (char) ('!' + random.nextInt(94));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("keep", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            java.util.Arrays.fill(password, '\0');

            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trustAnchors.isPresent()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate anchor : trustAnchors.get()) trust.setCertificateEntry("anchor-" + i++, anchor);
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            SSLContext tls = SSLContext.getInstance("TLSv1.3");
            tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), random);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new PlatformException("cannot set up TLS with the Keep identity: " + e.getMessage(), e);
        }
    }
}
