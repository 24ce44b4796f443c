package dev.donjon.server;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Turns a request's credentials into a {@link Principal}: the shared authentication of every Donjon service. A bearer
 * token must be valid when given (a bad token is refused with 401, never downgraded to anonymous). A TLS client
 * certificate counts only because the server's trust manager, which trusts the operator's client CA alone, accepted
 * its chain during the handshake (a certificate from another CA fails the handshake).
 */
public final class Authenticator {
    private final Optional<TokenFile> tokens;
    private final Optional<OidcVerifier> oidc;
    private final boolean clientCertificates;

    public Authenticator(Optional<TokenFile> tokens, Optional<OidcVerifier> oidc, boolean clientCertificates) {
        this.tokens = tokens;
        this.oidc = oidc;
        this.clientCertificates = clientCertificates;
    }

    /** Accepts no credentials at all: every request is anonymous, and a bearer token is refused as unknown. */
    public static Authenticator none() {
        return new Authenticator(Optional.empty(), Optional.empty(), false);
    }

    /** Whether any credential could be verified (tokens, OIDC or client certificates). */
    public boolean verifiesAnything() {
        return tokens.isPresent() || oidc.isPresent() || clientCertificates;
    }

    /**
     * @param authorization the Authorization header, or null
     * @param peer          the TLS client's verified chain (leaf first), or empty
     */
    public Principal authenticate(String authorization, Optional<Certificate[]> peer) {
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7))
                throw ApiError.unauthorized("Authorization header must be 'Bearer <token>'");
            String token = authorization.substring(7).strip();
            if (tokens.isPresent()) {
                var holder = tokens.get().lookup(token);
                if (holder.isPresent()) return holder.get();
            }
            if (oidc.isPresent() && token.chars().filter(c -> c == '.').count() == 2)
                return oidc.get().verify(token);
            throw ApiError.unauthorized("unknown bearer token");
        }
        if (clientCertificates
                && peer.isPresent()
                && peer.get().length > 0
                && peer.get()[0] instanceof X509Certificate leaf) {
            return new Principal.ClientCertificate(leaf);
        }
        return new Principal.Anonymous();
    }
}
