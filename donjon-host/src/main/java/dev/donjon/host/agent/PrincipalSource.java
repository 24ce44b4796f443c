package dev.donjon.host.agent;

import com.sun.net.httpserver.HttpExchange;

/**
 * Tells the agent who sent a request: the seam where the HTTP edge's client authentication (mutual TLS, bearer
 * tokens) hands the agent its verified identity. It is asked once per request, before any Keep is looked at.
 */
@FunctionalInterface
public interface PrincipalSource {

    /**
     * Every request is {@link Principal.Anonymous}: what the agent does while it authenticates nobody (plain HTTP).
     * Ownership then separates nothing; anyone who reaches the agent controls every Keep on it.
     */
    PrincipalSource ANONYMOUS = exchange -> Principal.anonymous();

    Principal of(HttpExchange exchange);
}
