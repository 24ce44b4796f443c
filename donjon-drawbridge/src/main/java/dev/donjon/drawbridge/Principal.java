package dev.donjon.drawbridge;

import java.security.cert.X509Certificate;
import java.util.Set;

/** Who is making a request, as far as the registry could verify it. */
public sealed interface Principal {

    /** No credentials: may read public repositories only. */
    record Anonymous() implements Principal {}

    /** A bearer token (static token file or verified OIDC JWT): a subject with Drawbridge scopes. */
    record TokenHolder(String subject, Set<String> scopes) implements Principal {
        public TokenHolder {
            scopes = Set.copyOf(scopes);
        }

        /** Drawbridge's rule: "read" is granted by read or manage, "write" by write or manage. */
        public boolean has(Scope.Level level, Scope.Context context) {
            for (String l : level.sufficient()) if (scopes.contains(l + ":" + context.wireName())) return true;
            return false;
        }
    }

    /** A TLS client whose certificate chains to the configured Steward CA: an attested Keep. */
    record AttestedKeep(X509Certificate certificate) implements Principal {}
}
