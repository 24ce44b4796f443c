package dev.donjon.host.agent;

import dev.donjon.platform.Backend;
import dev.donjon.server.EdgeServer;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.sim.SimAuthority;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The host agent ({@code donjon host serve}): creates Keeps on request, each a separate OS process, relays the
 * client's sealed package and the Keep's encrypted output, lists and stops Keeps, and never leaves one behind: Keeps
 * that get no package in time are stopped, and closing the agent (or its JVM exiting) stops them all. A Keep also
 * exits by itself when the agent's end of its pipe closes, so even a killed agent leaves no Keep running.
 */
public final class HostAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostAgent.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration ENDED_RETENTION = Duration.ofMinutes(10);
    private static final Duration SPARE_REFILL_DELAY = Duration.ofSeconds(3);

    /**
     * @param backend        the wire name of the backend every Keep of this agent runs on (as the API and the Keep's
     *                       command line spell it); must name a {@link Backend}
     * @param maxKeeps       Keeps alive at once; more are refused (503)
     * @param startTimeout   how long a new Keep may take to make its key and evidence
     * @param packageTimeout how long a Keep waits for its package before it is stopped
     */
    public record Config(InetSocketAddress listen, String backend, KeepLauncher launcher, Tap tap, int maxKeeps,
                         Duration startTimeout, Duration packageTimeout, int spareKeeps, AgentSecurity security) {
        public Config {
            if (Backend.fromWireName(backend).isEmpty()) throw new IllegalArgumentException("unknown backend '" + backend + "'");
        }

        /** The backend itself. */
        public Backend kind() { return Backend.fromWireName(backend).orElseThrow(); }

        /**
         * 64 Keeps, 60 s to start, 10 min to receive the package, no spare Keeps, and plain HTTP without
         * authentication ({@link AgentSecurity#insecurePlainHttp()}: tests and local use; give real security with
         * {@link #withSecurity}).
         */
        public static Config defaults(InetSocketAddress listen, String backend) {
            return new Config(listen, backend, KeepLauncher.sameJvm(), Tap.NONE, 64, Duration.ofSeconds(60), Duration.ofMinutes(10), 0,
                    AgentSecurity.insecurePlainHttp());
        }

        public Config withTap(Tap value) { return new Config(listen, backend, launcher, value, maxKeeps, startTimeout, packageTimeout, spareKeeps, security); }

        public Config withPackageTimeout(Duration value) { return new Config(listen, backend, launcher, tap, maxKeeps, startTimeout, value, spareKeeps, security); }

        public Config withLauncher(KeepLauncher value) { return new Config(listen, backend, value, tap, maxKeeps, startTimeout, packageTimeout, spareKeeps, security); }

        public Config withMaxKeeps(int value) { return new Config(listen, backend, launcher, tap, value, startTimeout, packageTimeout, spareKeeps, security); }

        /**
         * Keep processes started ahead of demand (JVM up, classes loaded, no key yet): a request with the default limits
         * takes one and only waits for its key and evidence. Each costs an idle Keep's memory.
         */
        public Config withSpareKeeps(int value) { return new Config(listen, backend, launcher, tap, maxKeeps, startTimeout, packageTimeout, value, security); }

        /** TLS, client authentication, connection limits. */
        public Config withSecurity(AgentSecurity value) { return new Config(listen, backend, launcher, tap, maxKeeps, startTimeout, packageTimeout, spareKeeps, value); }
    }

    private final Config config;
    private EdgeServer server;
    private final Map<String, KeepProcess> keeps = new ConcurrentHashMap<>();
    /** Who created each Keep: only that principal sees, feeds, reads or stops it (another's Keep answers as a missing one). */
    private final Map<String, Principal> owners = new ConcurrentHashMap<>();
    private final Deque<KeepProcess> spares = new ConcurrentLinkedDeque<>();
    private final AtomicInteger sparesStarting = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** SIGTERM: the same graceful close (no new Keep, every Keep stopped, requests in flight finished within the grace). */
    private final Thread shutdownHook = new Thread(this::close, "donjon-agent-shutdown");

    private HostAgent(Config config) {
        this.config = config;
    }

    /**
     * Starts serving. For the {@code sim} backend the simulated chain is made now if there is none (one maker, before
     * any Keep could race to make it).
     *
     * @throws IOException the port cannot be bound or the sim chain cannot be made
     */
    public static HostAgent start(Config config) throws IOException {
        if (config.kind() == Backend.SIM) {
            try {
                SimAuthority.loadOrCreate(config.launcher().platformSettings().sim(), java.time.Clock.systemUTC());
            } catch (PlatformException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        config.launcher().prepare();
        HostAgent agent = new HostAgent(config);
        AgentSecurity security = config.security();
        EdgeServer.Config edge = EdgeServer.Config.plain("host agent", config.listen())
                .withTls(security.tls())
                .withLimits(security.limits())
                .withAuthenticator(security.authenticator())
                .withMaxBody(dev.donjon.host.link.LinkFrame.MAX_PAYLOAD)
                .withAdminListen(security.adminListen());
        AgentHandler handler = new AgentHandler(agent);
        agent.server = EdgeServer.start(edge, handler.routes(), handler::mapError);
        GaugeWithCallback.builder().name("donjon_agent_keeps").help("Keeps by state (spares not included)").labelNames("state")
                .callback(cb -> {
                    Map<KeepProcess.State, Long> byState = new java.util.EnumMap<>(KeepProcess.State.class);
                    for (KeepProcess.State st : KeepProcess.State.values()) byState.put(st, 0L);
                    for (KeepProcess k : agent.keeps.values()) byState.merge(k.state(), 1L, Long::sum);
                    byState.forEach((st, n) -> cb.call(n, st.name().toLowerCase(java.util.Locale.ROOT)));
                })
                .register(agent.server.metrics().registry());
        Runtime.getRuntime().addShutdownHook(agent.shutdownHook);
        agent.refillSpares();
        return agent;
    }

    public URI baseUri() { return server.baseUri(); }

    /** The agent's HTTP edge (health, metrics, limits). */
    public EdgeServer edge() { return server; }

    Config config() { return config; }

    /** Starts a Keep process for {@code owner} and waits for its offer. */
    KeepProcess create(Principal owner, KeepLimits limits) throws IOException, CapacityException {
        if (closed.get()) throw new CapacityException("the agent is shutting down");
        if (keeps.values().stream().filter(k -> k.state() != KeepProcess.State.ENDED).count() >= config.maxKeeps()) {
            throw new CapacityException("the agent already runs " + config.maxKeeps() + " Keeps");
        }
        pruneEnded();
        KeepProcess keep = limits.equals(KeepLimits.defaults()) ? takeSpare() : null;
        boolean fromSpare = keep != null;
        if (keep == null) keep = launch(limits, false);
        String id = keep.id;
        owners.put(id, owner);
        keeps.put(id, keep);
        if (fromSpare) {
            // the replacement's JVM start would compete for the CPU with this deployment's module compile: wait a little
            Thread.ofVirtual().name("spare-refill").start(() -> {
                try {
                    Thread.sleep(SPARE_REFILL_DELAY);
                    refillSpares();
                } catch (InterruptedException ignored) {
                    // agent closing
                }
            });
        } else {
            refillSpares();
        }
        long pid = keep.pid();
        LOG.fine(() -> "Keep " + id + " (pid " + pid + ") created");
        // the package deadline counts from the offer: a slow start is the start timeout's business
        KeepProcess created = keep;
        keep.offered().thenRun(() -> Thread.ofVirtual().name("keep-" + id + "-deadline").start(() -> stopIfNoPackage(created)));
        return keep;
    }

    private KeepProcess launch(KeepLimits limits, boolean spare) throws IOException {
        String id = "k" + HexFormat.of().formatHex(randomBytes(10));
        Process p = config.launcher().launch(id, config.backend(), limits, spare);
        return new KeepProcess(id, config.backend(), limits, p, config.tap());
    }

    private KeepProcess takeSpare() {
        for (KeepProcess k; (k = spares.poll()) != null; ) {
            if (k.alive()) return k;
        }
        return null;
    }

    /** Starts spare Keeps in the background until there are as many as configured. */
    private void refillSpares() {
        while (!closed.get() && spares.size() + sparesStarting.get() < config.spareKeeps()) {
            sparesStarting.incrementAndGet();
            Thread.ofVirtual().name("spare-keep").start(() -> {
                try {
                    KeepProcess k = launch(KeepLimits.defaults(), true);
                    spares.add(k);
                    if (closed.get()) k.stop("the host agent is shutting down");
                } catch (IOException e) {
                    LOG.warning("cannot start a spare Keep: " + e.getMessage());
                } finally {
                    sparesStarting.decrementAndGet();
                }
            });
        }
    }

    /** Ended Keeps stay listed (with why they ended) for a while, then are forgotten. */
    private void pruneEnded() {
        java.time.Instant cutoff = java.time.Instant.now().minus(ENDED_RETENTION);
        keeps.values().removeIf(k -> {
            boolean old = k.state() == KeepProcess.State.ENDED && k.created.isBefore(cutoff);
            if (old) owners.remove(k.id);
            return old;
        });
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private void stopIfNoPackage(KeepProcess keep) {
        try {
            Thread.sleep(config.packageTimeout());
        } catch (InterruptedException e) {
            return;
        }
        KeepProcess.State s = keep.state();
        if (s == KeepProcess.State.STARTING || s == KeepProcess.State.AWAITING_PACKAGE) {
            keep.stop("no package arrived within " + config.packageTimeout().toSeconds() + " s");
        }
    }

    /** The Keep, if it exists and {@code who} created it. */
    Optional<KeepProcess> find(Principal who, String id) {
        return who.equals(owners.get(id)) ? Optional.ofNullable(keeps.get(id)) : Optional.empty();
    }

    /** {@code who}'s Keeps, oldest first. */
    List<KeepProcess> list(Principal who) {
        return keeps.values().stream().filter(k -> who.equals(owners.get(k.id))).sorted((a, b) -> a.created.compareTo(b.created)).toList();
    }

    /** Stops {@code who}'s Keep and forgets it; false if there is none (or it is another principal's). */
    boolean remove(Principal who, String id) {
        if (!who.equals(owners.get(id))) return false;
        KeepProcess k = keeps.remove(id);
        owners.remove(id);
        if (k == null) return false;
        k.stop("stopped on request");
        return true;
    }

    /** Live Keep processes (for tests and status). */
    public long running() { return keeps.values().stream().filter(k -> k.state() != KeepProcess.State.ENDED).count(); }

    private void stopAllKeeps() {
        List<KeepProcess> all = new java.util.ArrayList<>(keeps.values());
        for (KeepProcess k; (k = spares.poll()) != null; ) all.add(k);
        for (KeepProcess k : all) k.stop("the host agent is shutting down");
        for (KeepProcess k : all) {
            try {
                if (!k.awaitExit(Duration.ofSeconds(5))) LOG.warning("Keep " + k.id + " did not exit");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Graceful stop (SIGTERM): no new Keep is admitted (readiness turns false), every Keep is stopped (its output stream
     * ends with the agent's notice), requests still in flight get the edge's shutdown grace, and the listener closes.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        // spares still starting see `closed` and stop themselves
        server.drain();
        stopAllKeeps();
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running
        }
    }

    /** The agent cannot take another Keep now. */
    static final class CapacityException extends Exception {
        CapacityException(String message) { super(message); }
    }
}
