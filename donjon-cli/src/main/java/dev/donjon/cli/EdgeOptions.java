package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.server.Authenticator;
import dev.donjon.server.EdgeServer;
import dev.donjon.server.Limits;
import dev.donjon.server.OidcVerifier;
import dev.donjon.server.TokenFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What every {@code serve} command shares about its HTTP edge (donjon-server): bearer tokens and OIDC, where health
 * and metrics are served, and the connection limits that keep it serving real clients when others are slow.
 */
final class EdgeOptions {
    @Option(
            names = "--tokens",
            paramLabel = "FILE",
            description = "Static bearer tokens: lines 'TOKEN SUBJECT SCOPE...'.")
    Path tokens;

    @Option(
            names = "--oidc-issuer",
            paramLabel = "URL",
            description =
                    "Accept OIDC (JWT) access tokens from this issuer: their 'iss' must be exactly URL. Needs --oidc-jwks and --oidc-audience.")
    String oidcIssuer;

    @Option(
            names = "--oidc-jwks",
            paramLabel = "FILE_OR_URL",
            description =
                    "The issuer's signing keys (a JWK Set file, or its https URL) that every token's signature (RS256, PS256, ES256, ES384) must verify with.")
    String oidcJwks;

    @Option(
            names = "--oidc-audience",
            paramLabel = "AUD",
            description = "The 'aud' a token must carry; 'exp', 'nbf' and 'sub' are checked too.")
    String oidcAudience;

    @Option(
            names = "--admin-listen",
            paramLabel = "ADDR:PORT",
            description =
                    "Serve /healthz, /readyz and /metrics here (plain HTTP, no authentication) instead of on --listen.")
    String adminListen;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Connections at once (lowered to fit the file-descriptor limit). Default: ${DEFAULT-VALUE}.",
            defaultValue = "10000")
    int maxConnections;

    @Option(
            names = "--header-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "10s",
            description =
                    "Time a connection has to send a complete request head (TLS handshake included). Default: ${DEFAULT-VALUE}.")
    Duration headerTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "60s",
            description = "Time an idle connection, or a stalled read, is kept. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(
            names = "--shutdown-grace",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "10s",
            description = "On SIGTERM, how long requests in flight may take to finish. Default: ${DEFAULT-VALUE}.")
    Duration shutdownGrace;

    /** Says where health and metrics are served, when they have a listener of their own (its port may have been 0). */
    static void announceAdmin(String service, EdgeServer server) {
        server.adminAddress()
                .ifPresent(a -> System.out.println(service + ": health and metrics on http://"
                        + a.getAddress().getHostAddress() + ":" + a.getPort() + "/ (/healthz, /readyz, /metrics)"));
    }

    boolean oidcGiven() {
        return oidcIssuer != null || oidcJwks != null || oidcAudience != null;
    }

    /** Tokens and OIDC as given; client certificates when {@code clientCertificates}. */
    Authenticator authenticator(boolean clientCertificates) throws IOException {
        int given = (oidcIssuer != null ? 1 : 0) + (oidcJwks != null ? 1 : 0) + (oidcAudience != null ? 1 : 0);
        if (given != 0 && given != 3)
            throw new ExitCodeException(
                    OneLineErrors.USAGE, "--oidc-issuer, --oidc-jwks and --oidc-audience go together");
        try {
            return new Authenticator(
                    tokens == null ? Optional.empty() : Optional.of(TokenFile.load(tokens)),
                    given == 3 ? Optional.of(new OidcVerifier(oidcIssuer, oidcJwks, oidcAudience)) : Optional.empty(),
                    clientCertificates);
        } catch (IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, "--tokens: " + e.getMessage());
        }
    }

    Limits limits() {
        if (maxConnections < 1)
            throw new ExitCodeException(OneLineErrors.USAGE, "--max-connections must be at least 1");
        return Limits.defaults()
                .withMaxConnections(maxConnections)
                .withHeadTimeout(headerTimeout)
                .withIdleTimeout(idleTimeout)
                .withShutdownGrace(shutdownGrace);
    }

    Optional<InetSocketAddress> admin() {
        return adminListen == null ? Optional.empty() : Optional.of(StewardCommand.Serve.address(adminListen));
    }

    /** PEM certificates, or a one-line usage error naming the option. */
    static java.util.List<java.security.cert.X509Certificate> certificates(Path pem, String option) {
        try {
            return Pem.certificates(pem);
        } catch (IOException e) {
            throw new ExitCodeException(
                    OneLineErrors.USAGE,
                    option + ": "
                            + (e instanceof java.nio.file.NoSuchFileException
                                    ? pem + ": no such file"
                                    : e.getMessage()));
        }
    }

    /** A PEM private key, or a one-line usage error naming the option. */
    static java.security.PrivateKey privateKey(Path pem, String option) {
        try {
            return Pem.privateKey(pem);
        } catch (IOException e) {
            throw new ExitCodeException(
                    OneLineErrors.USAGE,
                    option + ": "
                            + (e instanceof java.nio.file.NoSuchFileException
                                    ? pem + ": no such file"
                                    : e.getMessage()));
        }
    }
}
