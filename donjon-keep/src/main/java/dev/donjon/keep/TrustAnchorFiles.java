package dev.donjon.keep;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** CA certificates a Keep is told to trust (PEM bundle or DER), and the JDK's own trust anchors they are added to. */
public final class TrustAnchorFiles {

    private TrustAnchorFiles() {}

    /**
     * Every certificate in {@code file} (PEM, any number, or one DER).
     *
     * @param what names the option in errors, e.g. {@code --steward-ca}
     */
    public static List<X509Certificate> read(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeepException(what + " " + file + ": no such file");
        } catch (IOException e) {
            throw new KeepException(what + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(bytes, what + " " + file);
    }

    /**
     * Every certificate in {@code bytes} (PEM, any number, or one DER).
     *
     * @param what names the source in errors, e.g. {@code steward-ca.pem}
     */
    public static List<X509Certificate> parse(byte[] bytes, String what) {
        try {
            List<X509Certificate> certs = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) throw new KeepException(what + ": holds no certificate");
            return List.copyOf(certs);
        } catch (CertificateException e) {
            throw new KeepException(what + ": not a PEM or DER certificate file (" + e.getMessage() + ")", e);
        }
    }

    /** The JDK's default trust anchors (its cacerts, or javax.net.ssl.trustStore when set). */
    public static List<X509Certificate> jdkDefaults() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            List<X509Certificate> out = new ArrayList<>();
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) out.addAll(Arrays.asList(x.getAcceptedIssuers()));
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException e) {
            throw new KeepException("cannot read the JDK's trust anchors: " + e.getMessage(), e);
        }
    }

    /** The JDK's anchors plus {@code extra} (the common case: an added private CA must not drop the public ones). */
    public static List<X509Certificate> jdkDefaultsPlus(List<X509Certificate> extra) {
        List<X509Certificate> all = new ArrayList<>(jdkDefaults());
        all.addAll(extra);
        return List.copyOf(all);
    }

    /** A context that only judges servers (no key of its own): by {@code anchors}, or the JDK's when empty. */
    public static javax.net.ssl.SSLContext trustingOnly(java.util.Optional<List<X509Certificate>> anchors) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (anchors.isPresent()) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate c : anchors.get()) store.setCertificateEntry("anchor-" + i++, c);
                tmf.init(store);
            } else {
                tmf.init((KeyStore) null);
            }
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new KeepException("cannot set up TLS trust anchors: " + e.getMessage(), e);
        }
    }
}
