package dev.donjon.drawbridge;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns a request's credentials into a {@link Principal}. A bearer token must be valid when given (a bad token is
 * refused, not downgraded to anonymous). A TLS client certificate counts only if the server's trust manager,
 * which trusts the Steward CA alone, accepted its chain during the handshake.
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

    public Principal authenticate(String authorization, SSLSession session) {
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7))
                throw new RegistryException(401, "Authorization header must be 'Bearer <token>'");
            String token = authorization.substring(7).strip();
            if (tokens.isPresent()) {
                var holder = tokens.get().lookup(token);
                if (holder.isPresent()) return holder.get();
            }
            if (oidc.isPresent() && token.chars().filter(c -> c == '.').count() == 2) return oidc.get().verify(token);
            throw new RegistryException(401, "unknown bearer token");
        }
        if (clientCertificates && session != null) {
            try {
                Certificate[] peer = session.getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) return new Principal.AttestedKeep(leaf);
            } catch (SSLPeerUnverifiedException e) {
                // no client certificate: anonymous
            }
        }
        return new Principal.Anonymous();
    }
}
