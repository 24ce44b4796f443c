package dev.donjon.platform.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.platform.Backend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class SelfSignedIdentityTest {

    @Test
    void localhostCertificateAsEnarx() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        KeyPair keys = KeepIdentity.newKeyPair(Backend.SIM);
        X509Certificate c = SelfSignedIdentity.localhost(keys, Clock.fixed(now, ZoneOffset.UTC));
        assertEquals("CN=localhost", c.getSubjectX500Principal().getName());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        c.verify(keys.getPublic());
        assertEquals(
                Duration.ofDays(365),
                Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()));
        assertTrue(!c.getNotBefore().toInstant().isAfter(now));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage());
        assertEquals(-1, c.getBasicConstraints(), "not a CA");
        assertEquals("SHA384withECDSA", c.getSigAlgName());
        assertEquals(
                "SHA256withECDSA",
                SelfSignedIdentity.localhost(KeepIdentity.newKeyPair(Backend.NIL), Clock.systemUTC())
                        .getSigAlgName());
    }

    @Test
    void tls13HandshakeWithAClientThatTrustsOnlyThisCertificate() throws Exception {
        KeyPair keys = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate cert = SelfSignedIdentity.localhost(keys, Clock.systemUTC());
        SSLContext server = Tls.context(keys.getPrivate(), List.of(cert), Optional.of(List.of(cert)));
        KeyPair clientKeys = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate clientCert = SelfSignedIdentity.localhost(clientKeys, Clock.systemUTC());
        SSLContext client = Tls.context(clientKeys.getPrivate(), List.of(clientCert), Optional.of(List.of(cert)));
        try (SSLServerSocket listener = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept();
                        OutputStream out = s.getOutputStream()) {
                    out.write(s.getSession().getProtocol().getBytes());
                    return s.getSession().getProtocol();
                } catch (Exception e) {
                    return e.toString();
                }
            });
            try (SSLSocket s = (SSLSocket)
                    client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // hostname check against the SAN 127.0.0.1
                s.setSSLParameters(params);
                InputStream in = s.getInputStream();
                assertEquals("TLSv1.3", new String(in.readAllBytes()));
                assertEquals(cert, s.getSession().getPeerCertificates()[0]);
            }
            assertEquals("TLSv1.3", served.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientWithOtherAnchorsRefusesTheSelfSignedCertificate() throws Exception {
        KeyPair keys = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate cert = SelfSignedIdentity.localhost(keys, Clock.systemUTC());
        SSLContext server = Tls.context(keys.getPrivate(), List.of(cert), Optional.empty());
        KeyPair other = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate otherCert = SelfSignedIdentity.localhost(other, Clock.systemUTC());
        SSLContext client = Tls.context(other.getPrivate(), List.of(otherCert), Optional.of(List.of(otherCert)));
        try (SSLServerSocket listener = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (Exception expected) {
                    // the client aborts the handshake
                }
            });
            try (SSLSocket s = (SSLSocket)
                    client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                assertThrows(javax.net.ssl.SSLHandshakeException.class, s::startHandshake);
            }
        }
    }
}
