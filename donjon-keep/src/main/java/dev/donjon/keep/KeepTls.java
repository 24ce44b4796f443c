package dev.donjon.keep;

import javax.net.ssl.SSLContext;

/**
 * The TLS a Keep's sockets use, both made from the Keep's one identity (key and certificate chain).
 *
 * @param connect                  for {@code connect} + {@code tls}: presents the Keep's certificate as client certificate,
 *                                 its trust managers judge the server
 * @param listen                   for {@code listen} + {@code tls}: presents the Keep's certificate; when client
 *                                 certificates are required its trust managers hold only the named client CA
 * @param requireClientCertificate listeners refuse clients without a certificate that {@code listen} trusts
 */
public record KeepTls(SSLContext connect, SSLContext listen, boolean requireClientCertificate) {

    /** One context for both directions, no client authentication (what an {@link IdentityProvider} gives by default). */
    public static KeepTls of(SSLContext context) {
        return new KeepTls(context, context, false);
    }
}
