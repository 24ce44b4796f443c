package dev.donjon.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A service's one route table: method + path pattern (Helidon's syntax: {@code /v1/keeps/{id}},
 * {@code /tree/{+path}} for the rest of a path) to handler. A pattern is also the route's name in metrics. Every GET
 * route answers HEAD too (the edge sends the headers without the body). A known path with another method gets 405
 * naming the allowed ones; an unknown path gets 404 with the service's hint.
 */
public final class Routes {
    record Route(String method, String pattern, Handler handler) {}

    private final Map<String, Set<String>> methodsByPattern = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();
    private String notFoundHint = "";

    public Routes get(String pattern, Handler h) {
        return add("GET", pattern, h);
    }

    public Routes post(String pattern, Handler h) {
        return add("POST", pattern, h);
    }

    public Routes put(String pattern, Handler h) {
        return add("PUT", pattern, h);
    }

    public Routes delete(String pattern, Handler h) {
        return add("DELETE", pattern, h);
    }

    /** Said after "no such endpoint" for unknown paths, e.g. {@code (POST / to enroll)}. */
    public Routes notFoundHint(String hint) {
        this.notFoundHint = hint;
        return this;
    }

    private Routes add(String method, String pattern, Handler h) {
        if (!pattern.startsWith("/")) throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
        if (!methodsByPattern
                .computeIfAbsent(pattern, p -> new LinkedHashSet<>())
                .add(method))
            throw new IllegalArgumentException("route " + method + " " + pattern + " is registered twice");
        routes.add(new Route(method, pattern, h));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    Map<String, Set<String>> methodsByPattern() {
        return methodsByPattern;
    }

    String notFoundHint() {
        return notFoundHint;
    }
}
