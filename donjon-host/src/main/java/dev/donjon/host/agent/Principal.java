package dev.donjon.host.agent;

import java.util.Objects;

/**
 * Who makes a request to the host agent, as the HTTP edge authenticated it. A Keep belongs to the principal that
 * created it: only that principal sees, feeds, reads or stops it, and quotas are counted per principal. Equality is the
 * whole identity: two requests are the same principal exactly when their principals are equal.
 */
public sealed interface Principal {

    /** A short printable label for logs and errors, e.g. {@code token:alice} or {@code anonymous}. */
    String label();

    /**
     * An identity the edge verified.
     *
     * @param scheme how it was authenticated, e.g. {@code token}, {@code mtls}, {@code oidc}: the same name under two
     *               schemes is two principals
     * @param name   the identity within the scheme (token subject, certificate subject, OIDC {@code iss|sub}, ...)
     */
    record Authenticated(String scheme, String name) implements Principal {
        public Authenticated {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(name, "name");
            if (!scheme.matches("[a-z][a-z0-9-]{0,31}"))
                throw new IllegalArgumentException("bad principal scheme \"" + scheme + "\"");
            if (name.isBlank() || name.length() > 1024)
                throw new IllegalArgumentException("a principal name must be 1 to 1024 characters");
        }

        @Override
        public String label() {
            return scheme + ":" + name.replaceAll("\\p{Cntrl}", "?");
        }
    }

    /**
     * Nobody in particular: what a request is when the agent authenticates nobody (plain HTTP without credentials).
     * Every such request is the same principal, so ownership then separates nothing: any client that can reach the
     * agent may list, feed, read and stop every anonymous Keep. Unsafe beyond a single-user host; see the README.
     */
    record Anonymous() implements Principal {
        @Override
        public String label() {
            return "anonymous";
        }
    }

    static Principal anonymous() {
        return new Anonymous();
    }
}
