package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/** How the client commands reach a Drawbridge registry: where, with which token, trusting which CA. */
final class RegistryOptions {
    @Option(
            names = "--registry",
            paramLabel = "URL",
            defaultValue = "${env:DONJON_REGISTRY}",
            description =
                    "Registry base URL for names without a host, e.g. https://registry.example:8443 (env DONJON_REGISTRY).")
    String registry;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:DONJON_TOKEN}",
            description = "Bearer token (static or OIDC access token; env DONJON_TOKEN).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Read the bearer token from FILE.")
    Path tokenFile;

    @Option(
            names = "--ca-cert",
            paramLabel = "PEM",
            description = "Trust only these CA certificates for the registry's TLS.")
    Path caCert;

    @Option(
            names = "--client-cert",
            paramLabel = "PEM",
            description = "Client certificate chain (e.g. a Keep's Steward certificate).")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "PEM", description = "Private key of --client-cert.")
    Path clientKey;

    Optional<String> token() throws IOException {
        if (tokenFile != null) return Optional.of(readToken(tokenFile));
        return Optional.ofNullable(token).filter(t -> !t.isBlank());
    }

    /** A --token-file's token; a missing or empty file is said so, naming the option. */
    static String readToken(Path file) {
        String token;
        try {
            token = Files.readString(file).strip();
        } catch (IOException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, "--token-file " + OneLineErrors.describe(e));
        }
        if (token.isEmpty()) throw new ExitCodeException(OneLineErrors.USAGE, "--token-file " + file + " is empty");
        return token;
    }

    Optional<URI> defaultRegistry() {
        return Optional.ofNullable(registry).filter(r -> !r.isBlank()).map(URI::create);
    }

    /**
     * A registry host written in a name means https: when it is not --registry's own, fail fast (with a hint) if it
     * speaks plain HTTP ({@link PlainHttpProbe}) rather than time out.
     */
    void requireHttpsWhereNamed(URI base, String name) throws IOException {
        if (defaultRegistry().filter(base::equals).isPresent()) return;
        PlainHttpProbe.requireHttps(base, tls(), name);
    }

    /** The registry for a name: its own host (https) if it has one, otherwise --registry. */
    URI base(Optional<String> host) throws IOException {
        if (host.isPresent()) {
            URI named = URI.create("https://" + host.get());
            requireHttpsWhereNamed(named, null);
            return named;
        }
        return defaultRegistry()
                .orElseThrow(() -> new ExitCodeException(
                        OneLineErrors.USAGE,
                        "no registry: give host/... in the name, --registry URL or DONJON_REGISTRY"));
    }

    SSLContext tls() throws IOException {
        if (caCert == null && clientCert == null) return null;
        if ((clientCert == null) != (clientKey == null))
            throw new ExitCodeException(OneLineErrors.USAGE, "--client-cert and --client-key go together");
        List<X509Certificate> trusted = caCert == null ? List.of() : Pem.certificates(caCert);
        if (clientCert == null) return Tls.trusting(Tls.anchors(trusted));
        return Tls.context(Pem.privateKey(clientKey), Pem.certificates(clientCert), Tls.anchors(trusted));
    }

    DrawbridgeClient client(Optional<String> host) throws IOException {
        return new DrawbridgeClient(base(host), tls(), token());
    }

    /** The subject of a JWT access token (unverified: only to fill in a user record the server will check). */
    static Optional<String> jwtSubject(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) return Optional.empty();
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Base64.getUrlDecoder().decode(parts[1]));
            return Optional.ofNullable(node.path("sub").textValue());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Splits {@code [host/]rest} where rest has {@code parts} slash-separated parts. */
    static Name split(String spec, int parts) {
        String[] s = spec.split("/", -1);
        if (s.length == parts) return new Name(Optional.empty(), s);
        if (s.length == parts + 1 && !s[0].isEmpty())
            return new Name(Optional.of(s[0]), java.util.Arrays.copyOfRange(s, 1, s.length));
        throw new ExitCodeException(
                OneLineErrors.USAGE,
                "'" + spec + "' is not "
                        + switch (parts) {
                            case 1 -> "[host/]user";
                            case 2 -> "[host/]user/repo";
                            default -> "[host/]user/repo:tag";
                        });
    }

    record Name(Optional<String> host, String[] parts) {}
}
