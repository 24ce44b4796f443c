package dev.donjon.testing;

import dev.donjon.common.Tls;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A test server's HTTPS identity: an EC P-256 key and a self-signed {@code CN=localhost} certificate (SANs localhost,
 * 127.0.0.1; made by {@link TestPki#selfSigned}), valid from an hour ago for a day. Clients trust it explicitly, never
 * through the JDK's anchors.
 */
public record LocalhostTls(KeyPair key, X509Certificate certificate) {

    public static LocalhostTls create() {
        TestPki.Issued issued = TestPki.selfSigned("localhost", List.of());
        return new LocalhostTls(issued.keys(), issued.cert());
    }

    /** The server's context: presents the certificate. */
    public SSLContext server() {
        return Tls.context(key.getPrivate(), List.of(certificate), Optional.of(List.of(certificate)));
    }

    /** A client context without a certificate of its own that trusts only this server. */
    public SSLContext client() {
        return Tls.trusting(Optional.of(List.of(certificate)));
    }
}
