package dev.donjon.host.agent;

import com.sun.net.httpserver.HttpServer;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * @param backend        the backend every Keep of this agent runs on
     * @param maxKeeps       Keeps alive at once; more are refused (503)
     * @param startTimeout   how long a new Keep may take to make its key and evidence
     * @param packageTimeout how long a Keep waits for its package before it is stopped
     */
    public record Config(InetSocketAddress listen, String backend, KeepLauncher launcher, Tap tap, int maxKeeps,
                         Duration startTimeout, Duration packageTimeout) {
        public static Config defaults(InetSocketAddress listen, String backend) {
            return new Config(listen, backend, KeepLauncher.sameJvm(), Tap.NONE, 64, Duration.ofSeconds(60), Duration.ofMinutes(10));
        }

        public Config withTap(Tap value) { return new Config(listen, backend, launcher, value, maxKeeps, startTimeout, packageTimeout); }

        public Config withPackageTimeout(Duration value) { return new Config(listen, backend, launcher, tap, maxKeeps, startTimeout, value); }

        public Config withMaxKeeps(int value) { return new Config(listen, backend, launcher, tap, value, startTimeout, packageTimeout); }
    }

    private final Config config;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, KeepProcess> keeps = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stopAllKeeps, "donjon-agent-shutdown");

    private HostAgent(Config config) throws IOException {
        this.config = config;
        this.server = HttpServer.create(config.listen(), 64);
        server.createContext("/", new AgentHandler(this));
        server.setExecutor(executor);
    }

    public static HostAgent start(Config config) throws IOException {
        HostAgent agent = new HostAgent(config);
        Runtime.getRuntime().addShutdownHook(agent.shutdownHook);
        agent.server.start();
        return agent;
    }

    public URI baseUri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort());
    }

    Config config() { return config; }

    /** Starts a Keep process and waits for its offer. */
    KeepProcess create(KeepLimits limits) throws IOException, CapacityException {
        if (closed.get()) throw new CapacityException("the agent is shutting down");
        if (keeps.values().stream().filter(k -> k.state() != KeepProcess.State.ENDED).count() >= config.maxKeeps()) {
            throw new CapacityException("the agent already runs " + config.maxKeeps() + " Keeps");
        }
        String id = "k" + HexFormat.of().formatHex(randomBytes(10));
        Process p = config.launcher().launch(id, config.backend(), limits);
        KeepProcess keep = new KeepProcess(id, config.backend(), limits, p, config.tap());
        keeps.put(id, keep);
        LOG.info(() -> "Keep " + id + " started (pid " + p.pid() + ")");
        // the package deadline counts from the offer: a slow start is the start timeout's business
        keep.offered().thenRun(() -> Thread.ofVirtual().name("keep-" + id + "-deadline").start(() -> stopIfNoPackage(keep)));
        return keep;
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

    Optional<KeepProcess> find(String id) { return Optional.ofNullable(keeps.get(id)); }

    List<KeepProcess> list() {
        return keeps.values().stream().sorted((a, b) -> a.created.compareTo(b.created)).toList();
    }

    /** Stops a Keep and forgets it. */
    boolean remove(String id) {
        KeepProcess k = keeps.remove(id);
        if (k == null) return false;
        k.stop("stopped on request");
        return true;
    }

    /** Live Keep processes (for tests and status). */
    public long running() { return keeps.values().stream().filter(k -> k.state() != KeepProcess.State.ENDED).count(); }

    private void stopAllKeeps() {
        for (KeepProcess k : keeps.values()) k.stop("the host agent is shutting down");
        for (KeepProcess k : keeps.values()) {
            try {
                if (!k.awaitExit(Duration.ofSeconds(5))) LOG.warning("Keep " + k.id + " did not exit");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops serving, then stops every Keep and waits for their processes to exit. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        server.stop(0);
        stopAllKeeps();
        executor.shutdownNow();
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
