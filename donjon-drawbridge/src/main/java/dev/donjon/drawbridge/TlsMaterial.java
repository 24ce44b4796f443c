package dev.donjon.drawbridge;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM certificates and keys, and the TLS contexts the registry server and its clients build from them. */
public final class TlsMaterial {
    private TlsMaterial() {}

    public static List<X509Certificate> readCertificates(Path pem) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) out.add(new JcaX509CertificateConverter().getCertificate(h));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + ": unreadable certificate: " + e.getMessage());
        }
        if (out.isEmpty()) throw new IOException(pem + " holds no PEM certificate");
        return out;
    }

    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                JcaPEMKeyConverter c = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo k) return c.getPrivateKey(k);
                if (o instanceof PEMKeyPair kp) return c.getPrivateKey(kp.getPrivateKeyInfo()); // SEC1 files may omit the public key
            }
        }
        throw new IOException(pem + " holds no unencrypted PEM private key");
    }

    public static java.security.PublicKey readPublicKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                JcaPEMKeyConverter c = new JcaPEMKeyConverter();
                if (o instanceof org.bouncycastle.asn1.x509.SubjectPublicKeyInfo k) return c.getPublicKey(k);
                if (o instanceof X509CertificateHolder h) return c.getPublicKey(h.getSubjectPublicKeyInfo());
            }
        }
        throw new IOException(pem + " holds no PEM public key or certificate");
    }

    /** A context that presents {@code chain} with {@code key}, and trusts {@code trusted} (may be empty: JDK defaults). */
    public static SSLContext context(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted) {
        try {
            KeyManagerFactory kmf = null;
            if (chain != null && !chain.isEmpty()) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", key, new char[0], chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            TrustManager[] tms = null;
            if (trusted != null && !trusted.isEmpty()) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                for (int i = 0; i < trusted.size(); i++) ts.setCertificateEntry("ca" + i, trusted.get(i));
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(ts);
                tms = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tms, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
