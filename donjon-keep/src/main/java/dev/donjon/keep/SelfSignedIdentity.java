package dev.donjon.keep;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The identity of a Keep without a Steward, as in Enarx: a fresh P-256 key and a self-signed CN=localhost
 * certificate valid one year, EKU server and client auth. It proves nothing about the Keep; it only lets
 * {@code prot = "tls"} work. Peers of TLS connects are judged by the JDK's default trust anchors.
 *
 * <p>A {@code steward} is refused: enrollment needs the attested identity, which this provider cannot make.
 */
public final class SelfSignedIdentity implements IdentityProvider {
    @Override
    public SSLContext identify(Optional<URI> steward) {
        if (steward.isPresent()) {
            throw new KeepException("steward enrollment is not implemented yet (steward = \"" + steward.get()
                    + "\"); remove the steward key to run with a self-signed identity");
        }
        try {
            KeyPair key = newKey();
            return context(key, SelfSignedCertificate.localhost(key), null);
        } catch (GeneralSecurityException e) {
            throw new KeepException("cannot make the Keep's self-signed TLS identity: " + e.getMessage(), e);
        }
    }

    /**
     * A context presenting {@code cert} and judging peers by {@code trustAnchors} (null: the JDK's).
     */
    static SSLContext context(KeyPair key, X509Certificate cert, KeyStore trustAnchors) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("keep", key.getPrivate(), password, new X509Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustAnchors);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        return gen.generateKeyPair();
    }

}
