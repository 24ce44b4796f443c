package dev.donjon.host.agent;

import dev.donjon.keep.NetworkPolicy;
import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.server.EdgeServer;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The host agent ({@code donjon host serve}): creates Keeps on request, each a separate OS process, relays the
 * client's sealed package and the Keep's encrypted output, lists and stops Keeps, and never leaves one behind: Keeps
 * that get no package in time are stopped, and closing the agent (or its JVM exiting) stops them all. A Keep also
 * exits by itself when the agent's end of its pipe closes, so even a killed agent leaves no Keep running.
 *
 * <p>Every operation takes the {@link Principal} the request came from: a Keep belongs to the principal that created
 * it, and any other principal is told it does not exist. Keeps are admitted atomically against the Keep limit, the
 * memory budget and the per-principal quotas ({@link Admission}); their output is held within an
 * {@link OutputBudget}.
 */
public final class HostAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostAgent.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration ENDED_RETENTION = Duration.ofMinutes(10);
    private static final Duration SPARE_REFILL_DELAY = Duration.ofSeconds(3);
    /** How long a request that needs a starting spare's room waits for that spare to be up (and stoppable). */
    private static final Duration SPARE_WAIT = Duration.ofSeconds(10);

    /**
     * @param backend           the wire name of the backend every Keep of this agent runs on (as the API and the
     *                          Keep's command line spell it); must name a {@link Backend}
     * @param maxKeeps          Keeps alive at once; more are refused (503)
     * @param startTimeout      how long a new Keep may take to make its key and evidence
     * @param packageTimeout    how long a Keep waits for its package before it is stopped
     * @param memoryBudgetBytes what all Keep processes together may hold, each counted at its
     *                          {@link KeepProcessMemory} bound; a Keep that does not fit is refused (503)
     * @param quota             what one principal may hold (Keeps, guest memory); past it, 429
     * @param output            the bounds on the encrypted output the agent holds for clients
     * @param network           what the Keeps' sockets may reach and where they listen
     * @param security          TLS, client authentication and connection limits of the agent's HTTP edge
     */
    public record Config(
            InetSocketAddress listen,
            String backend,
            KeepLauncher launcher,
            Tap tap,
            int maxKeeps,
            Duration startTimeout,
            Duration packageTimeout,
            int spareKeeps,
            long memoryBudgetBytes,
            Admission.Quota quota,
            OutputBudget.Limits output,
            NetworkPolicy network,
            AgentSecurity security) {
        public Config {
            if (Backend.fromWireName(backend).isEmpty())
                throw new IllegalArgumentException("unknown backend '" + backend + "'");
            new Admission.Limits(maxKeeps, memoryBudgetBytes, quota); // checks them now, not at start
        }

        /** The backend itself. */
        public Backend kind() {
            return Backend.fromWireName(backend).orElseThrow();
        }

        /**
         * 64 Keeps, 60 s to start, 10 min to receive the package, no spare Keeps, three quarters of the host's memory
         * as the budget, no per-principal quota, 64 MiB of output per Keep and 512 MiB in all, guests may connect
         * anywhere but this host, and plain HTTP without authentication ({@link AgentSecurity#insecurePlainHttp()}: tests
         * and local use; give real security with {@link #withSecurity}).
         */
        public static Config defaults(InetSocketAddress listen, String backend) {
            return new Config(
                    listen,
                    backend,
                    KeepLauncher.sameJvm(),
                    Tap.NONE,
                    64,
                    Duration.ofSeconds(60),
                    Duration.ofMinutes(10),
                    0,
                    defaultMemoryBudget(),
                    Admission.Quota.unlimited(),
                    OutputBudget.Limits.DEFAULT,
                    NetworkPolicy.notThisHost(),
                    AgentSecurity.insecurePlainHttp());
        }

        public Config withTap(Tap value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    value,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    security);
        }

        public Config withPackageTimeout(Duration value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    value,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    security);
        }

        public Config withLauncher(KeepLauncher value) {
            return new Config(
                    listen,
                    backend,
                    value,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    security);
        }

        public Config withMaxKeeps(int value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    value,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    security);
        }

        /**
         * Keep processes started ahead of demand (JVM up, classes loaded, no key yet): a request with the default limits
         * takes one and only waits for its key and evidence. Each costs an idle Keep's memory, and counts against the
         * memory budget at its bound until a request takes it (a request that needs the room stops a spare).
         */
        public Config withSpareKeeps(int value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    value,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    security);
        }

        public Config withMemoryBudget(long bytes) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    bytes,
                    quota,
                    output,
                    network,
                    security);
        }

        /** Per principal: Keeps alive at once, and the sum of their guests' memory limits. */
        public Config withQuota(int keeps, long guestMemoryBytes) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    new Admission.Quota(keeps, guestMemoryBytes),
                    output,
                    network,
                    security);
        }

        /** Output held for clients: per Keep (past it the Keep is stopped) and for all Keeps together. */
        public Config withOutputBuffer(long perKeepBytes, long totalBytes) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    new OutputBudget.Limits(perKeepBytes, totalBytes),
                    network,
                    security);
        }

        public Config withNetwork(NetworkPolicy value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    value,
                    security);
        }

        /** TLS, client authentication, connection limits. */
        public Config withSecurity(AgentSecurity value) {
            return new Config(
                    listen,
                    backend,
                    launcher,
                    tap,
                    maxKeeps,
                    startTimeout,
                    packageTimeout,
                    spareKeeps,
                    memoryBudgetBytes,
                    quota,
                    output,
                    network,
                    value);
        }

        /** Three quarters of the memory this host (or its container) has. */
        public static long defaultMemoryBudget() {
            long total = ((com.sun.management.OperatingSystemMXBean)
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            return total / 4 * 3;
        }
    }

    private final Config config;
    private EdgeServer server;
    private final Map<String, KeepProcess> keeps = new ConcurrentHashMap<>();
    private final Admission admission;
    private final OutputBudget output;
    private final Deque<KeepProcess> spares = new ConcurrentLinkedDeque<>();
    private final AtomicInteger sparesStarting = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** SIGTERM: the same graceful close (no new Keep, every Keep stopped, requests in flight finished within the grace). */
    private final Thread shutdownHook = new Thread(this::close, "donjon-agent-shutdown");

    private HostAgent(Config config) {
        this.config = config;
        this.admission =
                new Admission(new Admission.Limits(config.maxKeeps(), config.memoryBudgetBytes(), config.quota()));
        this.output = new OutputBudget(config.output());
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
        GaugeWithCallback.builder()
                .name("donjon_agent_keeps")
                .help("Keeps by state (spares not included)")
                .labelNames("state")
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

    public URI baseUri() {
        return server.baseUri();
    }

    /** The agent's HTTP edge (health, metrics, limits). */
    public EdgeServer edge() {
        return server;
    }

    Config config() {
        return config;
    }

    /**
     * Admits and starts a Keep for {@code owner} (its offer follows with {@link KeepProcess#hello}).
     *
     * @throws CapacityException the agent is full, or {@code owner} is over its quota
     */
    KeepProcess create(Principal owner, KeepLimits limits) throws IOException, CapacityException {
        if (closed.get()) throw new CapacityException("the agent is shutting down", false);
        pruneEnded();
        KeepProcess keep = limits.equals(KeepLimits.defaults()) ? takeSpare(owner) : null;
        boolean fromSpare = keep != null;
        if (keep == null) {
            Admission.Reservation reserved = admit(owner, limits);
            try {
                keep = launch(limits, reserved, false);
            } catch (IOException | RuntimeException e) {
                reserved.release();
                throw e;
            }
        }
        String id = keep.id;
        keeps.put(id, keep);
        if (fromSpare) {
            // the replacement's JVM start would compete for the CPU with this deployment's module compile: wait a
            // little
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
        keep.offered()
                .thenRun(() ->
                        Thread.ofVirtual().name("keep-" + id + "-deadline").start(() -> stopIfNoPackage(created)));
        return keep;
    }

    /** Reserves room for the Keep; spares give theirs up when the memory budget has none left for a request. */
    private Admission.Reservation admit(Principal owner, KeepLimits limits) throws CapacityException {
        long deadline = System.nanoTime() + SPARE_WAIT.toNanos();
        while (true) {
            try {
                return admission.admit(owner, limits);
            } catch (Admission.Refused e) {
                KeepProcess spare = e.memory ? spares.poll() : null;
                if (spare == null && e.memory && sparesStarting.get() > 0 && System.nanoTime() < deadline) {
                    sleepBriefly(); // a spare still starting holds room: it can give it up once it is there
                    continue;
                }
                if (spare == null) throw new CapacityException(e.getMessage(), e.quota);
                spare.stop("its memory was needed for a requested Keep");
                try {
                    // its room is free once its process is gone (a spare that will not die keeps holding it)
                    if (spare.awaitExit(Duration.ofSeconds(10)))
                        spare.reservation().release();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CapacityException("interrupted", false);
                }
            }
        }
    }

    private static void sleepBriefly() throws CapacityException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CapacityException("interrupted", false);
        }
    }

    private KeepProcess launch(KeepLimits limits, Admission.Reservation reserved, boolean spare) throws IOException {
        String id = "k" + HexFormat.of().formatHex(randomBytes(10));
        Process p = config.launcher().launch(id, config.backend(), limits, config.network(), spare);
        return new KeepProcess(id, config.backend(), limits, p, reserved, output, config.tap());
    }

    /** A live spare, now {@code owner}'s; none if there is none or the owner may not have another Keep. */
    private KeepProcess takeSpare(Principal owner) throws CapacityException {
        for (KeepProcess k; (k = spares.poll()) != null; ) {
            if (!k.alive()) continue;
            try {
                admission.claim(k.reservation(), owner);
                return k;
            } catch (Admission.Refused e) {
                spares.addFirst(k);
                throw new CapacityException(e.getMessage(), e.quota);
            }
        }
        return null;
    }

    /** Starts spare Keeps in the background until there are as many as configured (and the memory budget allows). */
    private void refillSpares() {
        while (!closed.get() && spares.size() + sparesStarting.get() < config.spareKeeps()) {
            sparesStarting.incrementAndGet(); // before its room is taken: a request short of room waits for it
            Optional<Admission.Reservation> reserved = admission.admitSpare(KeepLimits.defaults());
            if (reserved.isEmpty()) { // the budget is for requested Keeps first
                sparesStarting.decrementAndGet();
                return;
            }
            Thread.ofVirtual().name("spare-keep").start(() -> {
                try {
                    KeepProcess k = launch(KeepLimits.defaults(), reserved.get(), true);
                    spares.add(k);
                    if (closed.get()) k.stop("the host agent is shutting down");
                } catch (IOException | RuntimeException e) {
                    reserved.get().release();
                    LOG.warning("cannot start a spare Keep: " + e.getMessage());
                } finally {
                    sparesStarting.decrementAndGet();
                }
            });
        }
    }

    /** Ended Keeps stay listed (with why they ended) for a while, then are forgotten with their output. */
    private void pruneEnded() {
        java.time.Instant cutoff = java.time.Instant.now().minus(ENDED_RETENTION);
        keeps.values().removeIf(k -> {
            boolean old = k.state() == KeepProcess.State.ENDED && k.created.isBefore(cutoff);
            if (old) k.forget();
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

    /** {@code who}'s Keep {@code id}; another principal's is as absent as one that never existed. */
    Optional<KeepProcess> find(Principal who, String id) {
        return Optional.ofNullable(keeps.get(id))
                .filter(k -> k.owner().filter(who::equals).isPresent());
    }

    /** {@code who}'s Keeps, oldest first. */
    List<KeepProcess> list(Principal who) {
        pruneEnded();
        return list().stream()
                .filter(k -> k.owner().filter(who::equals).isPresent())
                .toList();
    }

    /** Every Keep of every principal (for shutdown and tests; never for a request). */
    List<KeepProcess> list() {
        return keeps.values().stream()
                .sorted((a, b) -> a.created.compareTo(b.created))
                .toList();
    }

    /** Any principal's Keep (tests only). */
    Optional<KeepProcess> findAnyOwner(String id) {
        return Optional.ofNullable(keeps.get(id));
    }

    /** Stops {@code who}'s Keep and forgets it; false if {@code who} has no Keep {@code id}. */
    boolean remove(Principal who, String id) {
        KeepProcess k = keeps.get(id);
        if (k == null || k.owner().filter(who::equals).isEmpty() || !keeps.remove(id, k)) return false;
        k.stop("stopped on request");
        k.forget();
        return true;
    }

    /** Encrypted output the agent holds for clients, in bytes (all Keeps). */
    long bufferedOutput() {
        return output.used();
    }

    /** Memory held for Keep processes at their bounds (all Keeps, spares included). */
    long committedMemory() {
        return admission.committedBytes();
    }

    /** Live Keep processes (for tests and status). */
    public long running() {
        return keeps.values().stream()
                .filter(k -> k.state() != KeepProcess.State.ENDED)
                .count();
    }

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

    /** The agent cannot take another Keep now, or not for this principal ({@code quota}). */
    static final class CapacityException extends Exception {
        final boolean quota;

        CapacityException(String message, boolean quota) {
            super(message);
            this.quota = quota;
        }
    }
}
