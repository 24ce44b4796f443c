package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.KeepIdentity;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The identity a Keep without a Steward serves (self-signed CN=localhost, as Enarx), seen from a TLS client. */
class SelfSignedIdentityTest {

    /** Serves one TLS 1.3 connection with the identity and returns the certificate the client saw. */
    private static X509Certificate served(SSLContext server) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.getOutputStream().write(s.getInputStream().read());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            TlsKeepTest.Recording client = new TlsKeepTest.Recording();
            try (SSLSocket s = client.connect(listener.getLocalPort())) {
                s.getOutputStream().write('x');
                assertEquals('x', s.getInputStream().read());
                assertEquals("TLSv1.3", s.getSession().getProtocol());
            }
            served.get();
            return client.seen.peek();
        }
    }

    @Test
    void localhostCertificateServerAndClientOneYearSelfSigned() throws Exception {
        X509Certificate cert = served(selfSigned(Backend.NIL).identify(Optional.empty()));
        assertEquals("CN=localhost", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey()); // self-signed by the Keep's own key
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        long days = Duration.between(
                        cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant())
                .toDays();
        assertTrue(days >= 365 && days <= 366, "validity " + days + " days");
        assertTrue(cert.getSubjectAlternativeNames().contains(List.of(2, "localhost")));
    }

    @Test
    void keyCurveFollowsTheBackend() throws Exception {
        assertEquals(256, curveBits(served(selfSigned(Backend.NIL).identify(Optional.empty()))), "nil: P-256");
        assertEquals(
                384, curveBits(served(selfSigned(Backend.SNP).identify(Optional.empty()))), "snp: P-384, as Enarx");
    }

    private static int curveBits(X509Certificate cert) {
        return ((ECPublicKey) cert.getPublicKey())
                .getParams()
                .getCurve()
                .getField()
                .getFieldSize();
    }

    @Test
    void eachKeepGetsItsOwnKey() {
        IdentityProvider provider = selfSigned(Backend.NIL);
        assertTrue(provider.identify(Optional.empty()) != provider.identify(Optional.empty()));
    }

    @Test
    void aKeepWithoutATeePlatformCannotEnroll() {
        var e = assertThrows(
                KeepException.class,
                () -> selfSigned(Backend.NIL).identify(Optional.of(URI.create("https://s.example"))));
        assertEquals(
                "cannot make the Keep's identity: this Keep has no TEE platform (nil backend): it has no evidence to enroll with "
                        + "the Steward",
                e.getMessage());
    }

    /** A Keep's identity when no TEE platform gives evidence: self-signed unless asked to enroll, which it cannot. */
    static IdentityProvider selfSigned(Backend backend) {
        AttestedIdentity.Source none = new AttestedIdentity.Source() {
            @Override
            public KeepIdentity create(Optional<byte[]> nonce, org.bouncycastle.asn1.x509.Extension... extra)
                    throws PlatformException {
                return AttestedIdentity.enroll(Optional.empty(), nonce, extra);
            }

            @Override
            public void requireEvidence() throws PlatformException {
                AttestedIdentity.enroll(Optional.empty(), Optional.empty());
            }
        };
        return new AttestedIdentity(none, AttestedIdentity.Trust.jdkDefaults(), backend, java.time.Clock.systemUTC());
    }
}
