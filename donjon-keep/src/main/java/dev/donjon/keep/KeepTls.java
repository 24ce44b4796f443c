package dev.donjon.keep;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The TLS a Keep's sockets use, both made from the Keep's one identity (key and certificate chain).
 *
 * @param connect                  for {@code connect} + {@code tls}: presents the Keep's certificate as client certificate,
 *                                 its trust managers judge the server
 * @param listen                   for {@code listen} + {@code tls}: presents the Keep's certificate; when client
 *                                 certificates are required its trust managers hold only the named client CA
 * @param requireClientCertificate listeners refuse clients without a certificate that {@code listen} trusts
 * @param presenting               client contexts that present the Keep's certificate to other servers (the secret
 *                                 broker), trusting the anchors given; absent for an identity that cannot
 */
public record KeepTls(
        SSLContext connect, SSLContext listen, boolean requireClientCertificate, Optional<Presenting> presenting) {

    /** Makes client contexts with the Keep's key and certificate chain; the key never leaves the Keep's process. */
    @FunctionalInterface
    public interface Presenting {
        /** @param anchors the server's trust anchors; empty: the JDK's */
        SSLContext trusting(Optional<List<X509Certificate>> anchors);
    }

    public KeepTls(SSLContext connect, SSLContext listen, boolean requireClientCertificate) {
        this(connect, listen, requireClientCertificate, Optional.empty());
    }

    /** One context for both directions, no client authentication (what an {@link IdentityProvider} gives by default). */
    public static KeepTls of(SSLContext context) {
        return new KeepTls(context, context, false);
    }
}
