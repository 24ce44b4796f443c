package dev.donjon.server;

import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP edge of a Donjon service: Helidon SE's web server (a virtual thread per connection) behind the limits of
 * {@link ConnectionGuard}, TLS 1.3 ({@link ServerTls}), the shared {@link Authenticator}, one route table
 * ({@link Routes}), one error format (status + one line of {@code text/plain}), liveness {@code /healthz}, readiness
 * {@code /readyz}, Prometheus {@code /metrics}, and a bounded graceful {@link #close}.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    /**
     * Helidon logs every connection that ends inside a request head (each slow client the guard closes) as a WARNING
     * with a stack trace: an attacker would fill the log. These loggers are kept (JUL holds them weakly) and quietened.
     */
    private static final List<Logger> QUIETENED = List.of(
            Logger.getLogger("io.helidon.webserver.http1.Http1Connection"),
            Logger.getLogger("io.helidon.webserver.ConnectionHandler"),
            Logger.getLogger("io.helidon.webserver.ServerListener"),
            Logger.getLogger("io.helidon.webserver.LoomServer"),
            Logger.getLogger("io.helidon.common.features.HelidonFeatures"),
            Logger.getLogger("io.helidon.logging.common.LogConfig"));

    static {
        for (Logger l : QUIETENED) l.setLevel(Level.SEVERE);
        // A listener that cannot start (a busy port) is logged by Helidon as SEVERE with a stack trace, and start()
        // does
        // not throw: start() reports it itself, in one line; Helidon's record goes to this class's log at FINE.
        java.util.logging.Filter startFailures = r -> {
            String m = r.getMessage();
            if (r.getLevel() != Level.SEVERE
                    || m == null
                    || !m.toLowerCase(java.util.Locale.ROOT).contains("failed to start")) return true;
            LOG.log(Level.FINE, "Helidon: " + m, r.getThrown());
            return false;
        };
        for (String name : List.of("io.helidon.webserver.LoomServer", "io.helidon.webserver.ServerListener")) {
            QUIETENED.stream().filter(l -> l.getName().equals(name)).forEach(l -> l.setFilter(startFailures));
        }
    }

    /** Health and metrics paths, served by the edge itself. */
    public static final String LIVENESS = "/healthz";

    public static final String READINESS = "/readyz";
    public static final String METRICS = "/metrics";

    /**
     * @param service       the service's name (logs, messages)
     * @param tls           the server's TLS, or empty for plain HTTP
     * @param authenticator how requests' credentials become principals
     * @param maxBody       the largest body any route accepts (a larger declared body is refused before routing)
     * @param adminListen   where health and metrics are served instead of the main listener (plain HTTP, no
     *                      authentication: bind it to loopback or a private network), or empty
     */
    public record Config(
            String service,
            InetSocketAddress listen,
            Optional<ServerTls> tls,
            Limits limits,
            Authenticator authenticator,
            long maxBody,
            Optional<InetSocketAddress> adminListen) {
        /** Plain HTTP, default limits, no authentication, 1 MiB bodies, health and metrics on the main listener. */
        public static Config plain(String service, InetSocketAddress listen) {
            return new Config(
                    service,
                    listen,
                    Optional.empty(),
                    Limits.defaults(),
                    Authenticator.none(),
                    1 << 20,
                    Optional.empty());
        }

        public Config withTls(Optional<ServerTls> value) {
            return new Config(service, listen, value, limits, authenticator, maxBody, adminListen);
        }

        public Config withLimits(Limits value) {
            return new Config(service, listen, tls, value, authenticator, maxBody, adminListen);
        }

        public Config withAuthenticator(Authenticator value) {
            return new Config(service, listen, tls, limits, value, maxBody, adminListen);
        }

        public Config withMaxBody(long value) {
            return new Config(service, listen, tls, limits, authenticator, value, adminListen);
        }

        public Config withAdminListen(Optional<InetSocketAddress> value) {
            return new Config(service, listen, tls, limits, authenticator, maxBody, value);
        }
    }

    private static final String ADMIN = "admin";

    private final Config config;
    private final ErrorMapper errors;
    private final ConnectionGuard guard;
    private final ConnectionGuard adminGuard;
    private final EdgeMetrics metrics;
    private final List<Supplier<Optional<String>>> readinessChecks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private WebServer server;

    private EdgeServer(Config config, ErrorMapper errors) {
        this.config = config;
        this.errors = errors;
        this.guard = new ConnectionGuard(config.limits());
        this.adminGuard = config.adminListen().isPresent()
                ? new ConnectionGuard(config.limits().withMaxConnections(256))
                : null;
        this.metrics = new EdgeMetrics(guard);
    }

    /**
     * Binds and serves {@code routes}; {@code errors} maps the service's domain exceptions.
     *
     * @throws BindException the address cannot be bound (the message names it)
     */
    public static EdgeServer start(Config config, Routes routes, ErrorMapper errors) throws IOException {
        EdgeServer edge = new EdgeServer(config, errors);
        try {
            edge.server = edge.build(routes).start();
        } catch (RuntimeException e) {
            edge.guard.close();
            if (edge.adminGuard != null) edge.adminGuard.close();
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IOException)) cause = cause.getCause();
            throw new BindException("cannot listen on " + config.listen() + ": "
                    + (cause.getMessage() == null ? e.getMessage() : cause.getMessage()));
        }
        if (!edge.server.isRunning()) { // Helidon logs a listener that failed to start and returns a stopped server
            edge.guard.close();
            if (edge.adminGuard != null) edge.adminGuard.close();
            InetSocketAddress failed = config.listen();
            String why = unbindable(failed);
            if (why == null && config.adminListen().isPresent()) {
                failed = config.adminListen().get();
                why = unbindable(failed);
            }
            throw new BindException("cannot listen on " + failed + ": "
                    + (why != null ? why : "the listener did not start (see --log-level debug)"));
        }
        return edge;
    }

    /** Why {@code address} cannot be bound now (the kernel's words, e.g. "Address already in use"), or null if it can. */
    private static String unbindable(InetSocketAddress address) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(address);
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private WebServer build(Routes routes) {
        WebServerConfig.Builder b = WebServer.builder()
                .address(config.listen().getAddress())
                .port(config.listen().getPort())
                .shutdownHook(false) // the service closes the edge itself, in order (see close())
                .useNio(false) // blocking sockets: a read honours the guard's socket timeout
                .connectionOptions(guard.socketOptions(SocketOptions.builder().build()))
                .idleConnectionTimeout(config.limits().idleTimeout())
                .idleConnectionPeriod(java.time.Duration.ofSeconds(1))
                .shutdownGracePeriod(config.limits().shutdownGrace())
                .maxPayloadSize(config.maxBody() + config.limits().drainBytes())
                .addProtocol(http1())
                .directHandlers(directHandlers())
                .routing(r -> routing(r, routes, config.adminListen().isEmpty()));
        config.tls()
                .ifPresent(t -> b.tls(Tls.builder()
                        .sslContext(new EnforcedTlsContext(t.context(), t.parameters()))
                        .sslParameters(t.parameters())
                        .enabledProtocols(List.of("TLSv1.3"))
                        .clientAuth(
                                switch (t.clientAuth()) {
                                    case NONE -> TlsClientAuth.NONE;
                                    case OPTIONAL -> TlsClientAuth.OPTIONAL;
                                    case REQUIRED -> TlsClientAuth.REQUIRED;
                                })
                        .build()));
        config.adminListen()
                .ifPresent(admin -> b.putSocket(
                        ADMIN,
                        s -> s.address(admin.getAddress())
                                .port(admin.getPort())
                                .useNio(false)
                                .connectionOptions(adminGuard.socketOptions(
                                        SocketOptions.builder().build()))
                                .idleConnectionTimeout(config.limits().idleTimeout())
                                .idleConnectionPeriod(java.time.Duration.ofSeconds(1))
                                .maxPayloadSize(config.limits().drainBytes())
                                .addProtocol(http1())
                                .directHandlers(directHandlers())
                                .routing(r -> adminRouting(r))));
        return b.build();
    }

    private Http1Config http1() {
        return Http1Config.builder()
                .maxPrologueLength(Math.min(8192, config.limits().maxHeadBytes()))
                .maxHeadersSize(config.limits().maxHeadBytes())
                .build();
    }

    /** Errors Helidon answers itself (malformed request, head too large, body over every cap): the same one-line format. */
    private static DirectHandlers directHandlers() {
        DirectHandler handler = (request, type, status, headers, message) -> DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .entity((status.reasonPhrase().toLowerCase(java.util.Locale.ROOT) + "\n")
                        .getBytes(StandardCharsets.UTF_8))
                .build();
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType t : DirectHandler.EventType.values()) b.addHandler(t, handler);
        return b.build();
    }

    private void routing(HttpRouting.Builder r, Routes routes, boolean healthHere) {
        r.addFilter(this::filter);
        r.error(
                Exception.class,
                (req, res, e) -> answer(req.context().get(Exchange.class).orElseThrow(), e));
        // no Donjon API has dot segments; a path that has them is refused before any route could see it normalized
        r.any((req, res) -> {
            for (String segment : req.path().rawPath().split("/", -1)) {
                if (segment.equals(".") || segment.equals(".."))
                    throw ApiError.badRequest("path segment '" + segment + "' is not allowed");
            }
            res.next();
        });
        if (healthHere) observability(r);
        for (Routes.Route route : routes.routes()) {
            Handler h = route.handler();
            String pattern = route.pattern();
            Method[] methods = route.method().equals("GET")
                    ? new Method[] {Method.GET, Method.HEAD}
                    : new Method[] {Method.create(route.method())};
            r.route(HttpRoute.builder()
                    .methods(methods)
                    .path(pattern)
                    .handler((req, res) -> {
                        Exchange ex = req.context().get(Exchange.class).orElseThrow();
                        ex.route(pattern);
                        h.handle(ex);
                    })
                    .build());
        }
        routes.methodsByPattern()
                .forEach((pattern, allowed) -> r.any(pattern, (req, res) -> {
                    req.context().get(Exchange.class).orElseThrow().route(pattern);
                    throw new ApiError(
                            405,
                            "method " + printable(req.prologue().method().text()) + " is not allowed here ("
                                    + allowedList(allowed) + ")");
                }));
        String hint = routes.notFoundHint().isEmpty() ? "" : " " + routes.notFoundHint();
        r.any((req, res) -> {
            throw ApiError.notFound(
                    "no such endpoint " + printable(req.prologue().method().text()) + " "
                            + printable(req.path().rawPath()) + hint);
        });
    }

    private void adminRouting(HttpRouting.Builder r) {
        r.addFilter((chain, req, res) -> {
            SocketAddress remote = req.remotePeer().address();
            adminGuard.busy(remote);
            req.context().register(new Exchange(req, res, Authenticator.none()));
            try {
                chain.proceed();
            } finally {
                adminGuard.idle(remote);
            }
        });
        r.error(
                Exception.class,
                (req, res, e) -> answer(req.context().get(Exchange.class).orElseThrow(), e));
        observability(r);
        r.any((req, res) -> {
            throw ApiError.notFound("no such endpoint (" + LIVENESS + ", " + READINESS + ", " + METRICS + ")");
        });
    }

    private void observability(HttpRouting.Builder r) {
        r.route(HttpRoute.builder()
                .methods(Method.GET, Method.HEAD)
                .path(LIVENESS)
                .handler((req, res) -> {
                    Exchange ex = exchange(req, LIVENESS);
                    ex.text(200, "ok");
                })
                .build());
        r.route(HttpRoute.builder()
                .methods(Method.GET, Method.HEAD)
                .path(READINESS)
                .handler((req, res) -> {
                    Exchange ex = exchange(req, READINESS);
                    Optional<String> why = notReady();
                    if (why.isPresent()) ex.text(503, "not ready: " + why.get());
                    else ex.text(200, "ready");
                })
                .build());
        r.route(HttpRoute.builder()
                .methods(Method.GET, Method.HEAD)
                .path(METRICS)
                .handler((req, res) -> {
                    Exchange ex = exchange(req, METRICS);
                    EdgeMetrics.Exposition e =
                            metrics.scrape(ex.header("Accept").orElse(null));
                    ex.send(200, e.contentType(), e.body());
                })
                .build());
    }

    private static Exchange exchange(io.helidon.webserver.http.ServerRequest req, String route) {
        Exchange ex = req.context().get(Exchange.class).orElseThrow();
        ex.route(route);
        return ex;
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        SocketAddress remote = req.remotePeer().address();
        guard.busy(remote);
        long start = System.nanoTime();
        Exchange ex = new Exchange(req, res, config.authenticator());
        req.context().register(ex);
        try {
            chain.proceed(); // a handler's exception reaches answer() through the routing's error handler
        } finally {
            metrics.request(
                    ex.route(), req.prologue().method().text(), res.status().code(), System.nanoTime() - start);
            guard.idle(remote);
        }
    }

    /** The one error path: an {@link ApiError}, a mapped domain exception, or a 500 whose cause stays in the log. */
    private void answer(Exchange ex, Exception e) {
        ApiError error = e instanceof ApiError a ? a : errors.map(e).orElse(null);
        if (error == null) {
            if (clientWentAway(e)) {
                LOG.log(Level.FINE, "client connection failed", e);
                return;
            }
            LOG.log(Level.WARNING, config.service() + ": unexpected failure on " + ex.route(), e);
            error = new ApiError(500, "internal error");
        } else if (error.status() >= 500 && error.getCause() != null) {
            LOG.log(Level.WARNING, config.service() + ": " + error.getMessage(), error.getCause());
        }
        var res = ex.response();
        if (res.isSent()) {
            LOG.log(
                    Level.FINE,
                    "cannot answer " + error.status() + " after the response started: " + error.getMessage());
            return;
        }
        if (!ex.bodyConsumed()) {
            // the unread body is read and dropped after the answer, so the client (still sending) can read it; too big:
            // close
            long declared = ex.contentLength().orElse(-1);
            if (declared < 0 || declared > config.limits().drainBytes()) res.header(HeaderValues.CONNECTION_CLOSE);
        }
        try {
            ex.text(error.status(), error.getMessage());
        } catch (RuntimeException sendFailed) {
            LOG.log(Level.FINE, "could not send the error answer", sendFailed);
        }
    }

    private static boolean clientWentAway(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketException || c instanceof java.io.EOFException) return true;
            if (c instanceof UncheckedIOException
                    || c.getClass().getName().startsWith("io.helidon.common.socket.SocketWriterException")
                    || c.getClass().getName().equals("io.helidon.webserver.ServerConnectionException")) return true;
        }
        return false;
    }

    private static String allowedList(Set<String> methods) {
        Set<String> all = new java.util.LinkedHashSet<>(methods);
        if (all.contains("GET")) all.add("HEAD");
        return String.join(", ", all);
    }

    static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[^\\x21-\\x7e]", "?");
    }

    // ---- state ----

    /** Adds a readiness condition: empty when ready, else why not (e.g. "store not writable"). */
    public void readinessCheck(Supplier<Optional<String>> check) {
        readinessChecks.add(check);
    }

    private Optional<String> notReady() {
        if (draining.get()) return Optional.of("shutting down");
        for (Supplier<Optional<String>> c : readinessChecks) {
            Optional<String> why;
            try {
                why = c.get();
            } catch (RuntimeException e) {
                why = Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            if (why.isPresent()) return why;
        }
        return Optional.empty();
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    /** Connections at once (the configured cap, lowered to fit the process's file descriptors). */
    public int connectionCap() {
        return guard.cap();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(config.listen().getAddress(), server.port());
    }

    /** The admin listener's address, when there is one. */
    public Optional<InetSocketAddress> adminAddress() {
        return config.adminListen().map(a -> new InetSocketAddress(a.getAddress(), server.port(ADMIN)));
    }

    public boolean https() {
        return config.tls().isPresent();
    }

    /** e.g. {@code https://127.0.0.1:3000} (no trailing slash). */
    public URI baseUri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create((https() ? "https" : "http") + "://" + host + ":" + a.getPort());
    }

    /** Readiness turns false: load balancers stop sending new requests; the listener still serves (see {@link #close}). */
    public void drain() {
        draining.set(true);
    }

    /**
     * Stops accepting connections, lets in-flight requests finish for at most {@link Limits#shutdownGrace()}, then
     * closes what is left. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        draining.set(true);
        try {
            server.stop();
        } finally {
            guard.close();
            if (adminGuard != null) adminGuard.close();
        }
    }
}
