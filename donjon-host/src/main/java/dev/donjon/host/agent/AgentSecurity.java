package dev.donjon.host.agent;

import dev.donjon.server.Authenticator;
import dev.donjon.server.Limits;
import dev.donjon.server.ServerTls;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * How the agent's HTTP edge is exposed: TLS (served as TLS 1.3 only; optionally asking clients for a certificate from
 * the operator's CA), who may authenticate (bearer tokens from a token file or an OIDC issuer, client certificates),
 * connection limits, and where health and metrics are served. Every request must be authenticated, unless the agent
 * was started with {@link #insecurePlainHttp()}: plain HTTP where every request is the same anonymous principal.
 *
 * @param tls           the agent's TLS; required unless {@code insecure}
 * @param authenticator verifies bearer tokens and client certificates; required to verify something unless {@code insecure}
 * @param insecure      plain HTTP, nobody authenticated: anyone who reaches the agent controls every Keep on it
 */
public record AgentSecurity(
        Optional<ServerTls> tls,
        Authenticator authenticator,
        boolean insecure,
        Limits limits,
        Optional<InetSocketAddress> adminListen) {

    public AgentSecurity {
        if (!insecure && tls.isEmpty())
            throw new IllegalArgumentException("the agent serves TLS unless it is explicitly insecure");
        if (!insecure && !authenticator.verifiesAnything())
            throw new IllegalArgumentException(
                    "the agent authenticates its clients (client certificates, bearer tokens or OIDC) unless it is explicitly insecure");
    }

    /** TLS and client authentication, default limits. */
    public static AgentSecurity of(ServerTls tls, Authenticator authenticator) {
        return new AgentSecurity(Optional.of(tls), authenticator, false, Limits.defaults(), Optional.empty());
    }

    /** Plain HTTP and no authentication: tests, and {@code donjon host serve --insecure-plain-http}. */
    public static AgentSecurity insecurePlainHttp() {
        return new AgentSecurity(Optional.empty(), Authenticator.none(), true, Limits.defaults(), Optional.empty());
    }

    public AgentSecurity withLimits(Limits value) {
        return new AgentSecurity(tls, authenticator, insecure, value, adminListen);
    }

    public AgentSecurity withAdminListen(Optional<InetSocketAddress> value) {
        return new AgentSecurity(tls, authenticator, insecure, limits, value);
    }
}
