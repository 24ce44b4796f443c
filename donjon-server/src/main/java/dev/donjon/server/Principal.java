package dev.donjon.server;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;

/** Who made a request, as far as the edge could verify it. Services decide what each may do. */
public sealed interface Principal {

    /** No credentials. */
    record Anonymous() implements Principal {}

    /**
     * A bearer token the edge verified: a static token from the token file ({@code issuer} empty) or an OIDC JWT
     * ({@code issuer} its {@code iss}). Scopes are the token's, as written (services interpret them).
     */
    record Bearer(String subject, Set<String> scopes, Optional<String> issuer) implements Principal {
        public Bearer {
            scopes = Set.copyOf(scopes);
        }

        /** A static token (from a token file). */
        public Bearer(String subject, Set<String> scopes) {
            this(subject, scopes, Optional.empty());
        }
    }

    /** A TLS client whose certificate chain the server's trust manager (the operator's client CA) accepted. */
    record ClientCertificate(X509Certificate certificate) implements Principal {
        /** The certificate's subject, RFC 2253. */
        public String subject() {
            return certificate.getSubjectX500Principal().getName();
        }
    }
}
