package dev.donjon.host.client;

import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the owner's client reaches and proves itself to a host agent.
 *
 * @param tls   trusts the agent's CA (and holds the client certificate, for mutual TLS); empty: the JDK's defaults
 * @param token a bearer token the agent knows (its token file or OIDC issuer), sent on every request
 */
public record AgentCredentials(Optional<SSLContext> tls, Optional<String> token) {

    /** No client certificate, no token, the JDK's trust anchors. */
    public static AgentCredentials none() {
        return new AgentCredentials(Optional.empty(), Optional.empty());
    }
}
