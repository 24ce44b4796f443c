package dev.donjon.drawbridge;

/**
 * Who may do what, as Drawbridge decides it: the owner (the token whose subject is the user record's) with the
 * right scope may write and read; anyone may read a public repository; an attested Keep may read a private one.
 * Everything else is refused. As in Drawbridge, reading anything in a private repository (config, tags, trees) takes
 * {@code read:drawbridge_repositories}; writing tags takes {@code write:drawbridge_tags}.
 */
final class AccessPolicy {
    private AccessPolicy() {}

    static Principal.TokenHolder requireToken(Principal p) {
        if (p instanceof Principal.TokenHolder t) return t;
        throw new RegistryException(401, "a bearer token is required");
    }

    static void requireOwner(Principal p, UserRecord owner, String user, Scope.Level level, Scope.Context context) {
        Principal.TokenHolder t = requireToken(p);
        if (!t.subject().equals(owner.subject()))
            throw new RegistryException(403, "token subject is not the owner of user '" + user + "'");
        if (!t.has(level, context))
            throw new RegistryException(403, "token lacks scope " + level.wireName() + ":" + context.wireName());
    }

    static void requireRead(Principal p, UserRecord owner, String user, RepositoryConfig config, Scope.Context context) {
        if (config.isPublic()) return;
        switch (p) {
            case Principal.AttestedKeep k -> { }
            case Principal.TokenHolder t -> requireOwner(t, owner, user, Scope.Level.READ, context);
            case Principal.Anonymous a -> throw new RegistryException(401,
                    "repository is private: present the owner's token or an attested Keep's certificate");
        }
    }
}
