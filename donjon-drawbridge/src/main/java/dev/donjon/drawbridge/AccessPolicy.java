package dev.donjon.drawbridge;

import dev.donjon.server.ApiError;
import dev.donjon.server.Principal;

/**
 * Who may do what, as Drawbridge decides it: the owner (the token whose subject is the user record's) with the
 * right scope may write and read; anyone may read a public repository; an attested Keep (a client certificate the
 * Steward CA issued) may read a private one. As in Drawbridge, reading anything in a private repository (config, tags,
 * trees) takes {@code read:drawbridge_repositories}; writing tags takes {@code write:drawbridge_tags}.
 * <p>
 * Beyond Drawbridge: what a principal may not see answers exactly as what does not exist (404, the same words), so
 * that nobody learns which private repositories or users exist. Only the owner, who knows it exists, hears 403 about
 * a missing scope.
 */
final class AccessPolicy {
    private AccessPolicy() {}

    static Principal.Bearer requireToken(Principal p) {
        if (p instanceof Principal.Bearer t) return t;
        throw ApiError.unauthorized("a bearer token is required");
    }

    /**
     * The owner with the scope; anyone else, anonymous included, hears {@code hidden} (what a missing user or repository
     * answers). Writers check for a token first, before anything is looked up.
     */
    static void requireOwner(Principal p, UserRecord owner, Scope.Level level, Scope.Context context, ApiError hidden) {
        if (!(p instanceof Principal.Bearer t) || !t.subject().equals(owner.subject())) throw hidden;
        if (!Scope.has(t, level, context))
            throw ApiError.forbidden("token lacks scope " + level.wireName() + ":" + context.wireName());
    }

    /** Public, or an attested Keep, or the owner with read scope; anyone else hears {@code hidden}. */
    static void requireRead(
            Principal p, UserRecord owner, RepositoryConfig config, Scope.Context context, ApiError hidden) {
        if (config.isPublic()) return;
        switch (p) {
            case Principal.ClientCertificate k -> {}
            case Principal.Bearer t -> requireOwner(t, owner, Scope.Level.READ, context, hidden);
            case Principal.Anonymous a -> throw hidden;
        }
    }
}
