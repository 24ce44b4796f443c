package dev.donjon.common;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The one way Donjon builds a TLS context: TLS 1.3 only, for servers and clients alike (the Keep's listeners and
 * connects, the Steward, the registry, and their clients). A key lives only in an in-memory key store under a
 * throw-away password; peers are judged by the given anchors, or by the JDK's default anchors when none are given.
 */
public final class Tls {

    public static final String PROTOCOL = "TLSv1.3";

    private Tls() {}

    /** What a side presents: its private key and its certificate chain, leaf first. */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {
        public Identity {
            Objects.requireNonNull(key, "key");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) throw new IllegalArgumentException("a certificate chain needs at least the leaf");
        }
    }

    /**
     * @param identity what this side presents (absent: a client that shows no certificate)
     * @param anchors  the peers' trust anchors (absent: the JDK's default anchors)
     * @throws IllegalArgumentException naming the problem, when the key store or TLS 1.3 cannot be set up
     */
    public static SSLContext context(Optional<Identity> identity, Optional<List<X509Certificate>> anchors) {
        try {
            return context(identity, trustManagers(anchors));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + OneLine.of(e), e);
        }
    }

    /**
     * A server context presenting {@code identity} whose {@code clientJudge} alone decides which client certificate
     * chains pass the handshake: for a service that lets chains through to judge them itself, per request, at its own
     * clock (and answer and audit each refusal with its reason). The handshake still proves the client holds its key.
     */
    public static SSLContext context(Identity identity, X509ExtendedTrustManager clientJudge) {
        try {
            return context(Optional.of(identity), new TrustManager[] {clientJudge});
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + OneLine.of(e), e);
        }
    }

    private static SSLContext context(Optional<Identity> identity, TrustManager[] trust)
            throws GeneralSecurityException, IOException {
        SecureRandom random = new SecureRandom();
        KeyManager[] keyManagers = null;
        if (identity.isPresent()) {
            char[] password = new char[32];
            for (int i = 0; i < password.length; i++) password[i] = (char) ('!' + random.nextInt(94));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(
                    "key",
                    identity.get().key(),
                    password,
                    identity.get().chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            Arrays.fill(password, '\0');
            keyManagers = kmf.getKeyManagers();
        }
        SSLContext tls = SSLContext.getInstance(PROTOCOL);
        tls.init(keyManagers, trust, random);
        return tls;
    }

    /** A context presenting {@code chain} with {@code key}. */
    public static SSLContext context(
            PrivateKey key, List<X509Certificate> chain, Optional<List<X509Certificate>> anchors) {
        return context(Optional.of(new Identity(key, chain)), anchors);
    }

    /** A context with no key of its own, judging servers by {@code anchors} (absent: the JDK's). */
    public static SSLContext trusting(Optional<List<X509Certificate>> anchors) {
        return context(Optional.empty(), anchors);
    }

    /** {@code anchors} when there are any, else absent: the JDK's (the rule of every option that adds a CA). */
    public static Optional<List<X509Certificate>> anchors(List<X509Certificate> anchors) {
        return anchors.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(anchors));
    }

    /** The JDK's default trust anchors (its cacerts, or javax.net.ssl.trustStore when set). */
    public static List<X509Certificate> jdkAnchors() {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (TrustManager tm : trustManagers(Optional.empty())) {
                if (tm instanceof X509TrustManager x) out.addAll(Arrays.asList(x.getAcceptedIssuers()));
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot read the JDK's trust anchors: " + OneLine.of(e), e);
        }
    }

    /** The JDK's anchors plus {@code extra} (the common case: an added private CA must not drop the public ones). */
    public static List<X509Certificate> jdkAnchorsPlus(List<X509Certificate> extra) {
        List<X509Certificate> all = new ArrayList<>(jdkAnchors());
        all.addAll(extra);
        return List.copyOf(all);
    }

    private static TrustManager[] trustManagers(Optional<List<X509Certificate>> anchors)
            throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (anchors.isPresent()) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate anchor : anchors.get()) trust.setCertificateEntry("anchor-" + i++, anchor);
            tmf.init(trust);
        } else {
            tmf.init((KeyStore) null);
        }
        return tmf.getTrustManagers();
    }
}
