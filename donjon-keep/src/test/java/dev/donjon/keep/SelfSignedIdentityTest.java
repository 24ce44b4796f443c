package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class SelfSignedIdentityTest {

    @Test
    void certificateIsLocalhostP256OneYearServerAndClient() throws Exception {
        KeyPair key = SelfSignedIdentity.newKey();
        X509Certificate cert = SelfSignedCertificate.localhost(key);
        assertEquals("CN=localhost", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(key.getPublic()); // self-signed by the Keep's own key
        assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
        assertTrue(days >= 365 && days <= 366, "validity " + days + " days");
        assertTrue(cert.getSubjectAlternativeNames().contains(List.of(2, "localhost")));
    }

    /** The context really serves TLS 1.3 with that certificate (the WASI layer's TLS is tested there). */
    @Test
    void contextServesTlsThatAClientPinningTheCertificateAccepts() throws Exception {
        SSLContext server = new SelfSignedIdentity().identify(Optional.empty());
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.getOutputStream().write(s.getInputStream().read());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            X509Certificate[] seen = new X509Certificate[1];
            SSLContext client = SSLContext.getInstance("TLSv1.3");
            client.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
                @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { seen[0] = chain[0]; }
                @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, null);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write('x');
                out.flush();
                assertEquals('x', in.read());
                assertEquals("TLSv1.3", s.getSession().getProtocol());
            }
            served.get();
            assertEquals("CN=localhost", seen[0].getSubjectX500Principal().getName());
            // ... and a client with only the JDK's trust anchors refuses it: it proves nothing.
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            boolean trusted = true;
            try {
                ((javax.net.ssl.X509TrustManager) jdk.getTrustManagers()[0]).checkServerTrusted(new X509Certificate[] {seen[0]}, "ECDHE_ECDSA");
            } catch (java.security.cert.CertificateException expected) {
                trusted = false;
            }
            assertEquals(false, trusted);
        }
    }
}
