package dev.donjon.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * Donjon's services as an operator scales them out, on loopback: Drawbridge replicas sharing one PostgreSQL catalog
 * (Debian's, started here) and one blob directory, Steward replicas sharing one CA, each replica a JVM of its own
 * ({@link ServiceProcess}, so it can be killed), and HAProxy in front of each kind ({@link LocalHaproxy}: "drawbridge"
 * and "steward"), checking their /readyz. Plain HTTP on loopback (TLS passes through HAProxy untouched, so it changes
 * nothing here). The Stewards certify the real Enarx Milan CSR of the shared vectors, their clock pinned to when its
 * evidence was valid.
 */
public final class ReplicaCluster implements AutoCloseable {
    public static final String TOKEN = "cluster-token-0123456789abcdef";
    private static final Pattern DRAWBRIDGE_READY = Pattern.compile(
            "drawbridge: serving .* on http://127\\.0\\.0\\.1:(\\d+)/api/v0\\.1\\.0/\\R.*health and metrics on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern STEWARD_READY = Pattern.compile(
            "steward: serving on http://127\\.0\\.0\\.1:(\\d+)/\\R.*health and metrics on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Path dir;
    private final String mainClass;
    private final LocalPostgres postgres;
    private final String database;
    private final Path blobs;
    private final Path vectors;
    private final List<ServiceProcess> drawbridges = new ArrayList<>();
    private final List<ServiceProcess> stewards = new ArrayList<>();
    private LocalHaproxy haproxy;

    private ReplicaCluster(Path dir, String mainClass, LocalPostgres postgres, String database, Path vectors) {
        this.dir = dir;
        this.mainClass = mainClass;
        this.postgres = postgres;
        this.database = database;
        this.blobs = dir.resolve("blobs");
        this.vectors = vectors;
    }

    /**
     * Starts {@code drawbridges} Drawbridge and {@code stewards} Steward replicas ({@code mainClass} is the
     * {@code donjon} command's) and HAProxy in front of them; returns when HAProxy sees every replica up.
     *
     * @param vectors the shared test vectors ({@code ../shared/vectors})
     */
    public static ReplicaCluster start(Path dir, String mainClass, int drawbridges, int stewards, Path vectors)
            throws Exception {
        LocalPostgres postgres = LocalPostgres.start();
        ReplicaCluster c = new ReplicaCluster(dir, mainClass, postgres, postgres.createDatabase(), vectors);
        try {
            c.prepare();
            ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<ServiceProcess>> d = new ArrayList<>(), s = new ArrayList<>();
            for (int i = 0; i < drawbridges; i++) {
                int n = i;
                d.add(starting.submit((Callable<ServiceProcess>) () -> c.drawbridge(n, 0, 0)));
            }
            for (int i = 0; i < stewards; i++) {
                int n = i;
                s.add(starting.submit((Callable<ServiceProcess>) () -> c.steward(n)));
            }
            for (var f : d) c.drawbridges.add(f.get());
            for (var f : s) c.stewards.add(f.get());
            starting.shutdown();
            Map<String, List<LocalHaproxy.Replica>> services = new LinkedHashMap<>();
            services.put("drawbridge", replicas(c.drawbridges));
            services.put("steward", replicas(c.stewards));
            c.haproxy = LocalHaproxy.start(dir, services);
            for (var r : services.get("drawbridge"))
                c.haproxy.awaitState("drawbridge", r.name(), "UP", 60, java.util.concurrent.TimeUnit.SECONDS);
            for (var r : services.get("steward"))
                c.haproxy.awaitState("steward", r.name(), "UP", 60, java.util.concurrent.TimeUnit.SECONDS);
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    private void prepare() throws IOException {
        Files.createDirectories(blobs);
        Files.writeString(dir.resolve("tokens"), TOKEN + " cluster manage\n");
        TestPki.Issued ca = TestPki.ca("Cluster Steward CA");
        ca.write(dir.resolve("steward-ca.pem"), dir.resolve("steward-ca.key"));
    }

    private static List<LocalHaproxy.Replica> replicas(List<ServiceProcess> services) {
        return services.stream()
                .map(p -> new LocalHaproxy.Replica(
                        p.name(),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(p.group(1))),
                        Integer.parseInt(p.group(2))))
                .toList();
    }

    /** Starts Drawbridge replica {@code i} (ports 0: any free ones). */
    private ServiceProcess drawbridge(int i, int port, int admin) throws Exception {
        return ServiceProcess.start(
                "drawbridge-" + i,
                dir,
                mainClass,
                List.of(
                        "drawbridge",
                        "serve",
                        "--store",
                        blobs.toString(),
                        "--database",
                        database,
                        "--database-user",
                        postgres.user(),
                        "--tokens",
                        dir.resolve("tokens").toString(),
                        "--listen",
                        "127.0.0.1:" + port,
                        "--admin-listen",
                        "127.0.0.1:" + admin,
                        "--shutdown-grace",
                        "5s"),
                DRAWBRIDGE_READY);
    }

    private ServiceProcess steward(int i) throws Exception {
        return ServiceProcess.start(
                "steward-" + i,
                dir,
                mainClass,
                List.of(
                        "steward",
                        "serve",
                        "--policy",
                        vectors.resolve("enarx/steward/steward.toml").toString(),
                        "--now",
                        "2023-01-15T00:00:00Z",
                        "--ca-cert",
                        dir.resolve("steward-ca.pem").toString(),
                        "--ca-key",
                        dir.resolve("steward-ca.key").toString(),
                        "--listen",
                        "127.0.0.1:0",
                        "--admin-listen",
                        "127.0.0.1:0"),
                STEWARD_READY);
    }

    /** Starts Drawbridge replica {@code i} again, on the ports it had (after it was killed). */
    public ServiceProcess restartDrawbridge(int i) throws Exception {
        ServiceProcess old = drawbridges.get(i);
        ServiceProcess again = drawbridge(i, Integer.parseInt(old.group(1)), Integer.parseInt(old.group(2)));
        drawbridges.set(i, again);
        return again;
    }

    /** HAProxy's Drawbridge frontend. */
    public URI registry() {
        return uri(haproxy.address("drawbridge"));
    }

    /** HAProxy's Steward frontend. */
    public URI steward() {
        return uri(haproxy.address("steward"));
    }

    /** Replica {@code i}'s own address, bypassing HAProxy. */
    public URI drawbridgeReplica(int i) {
        return URI.create("http://127.0.0.1:" + drawbridges.get(i).group(1));
    }

    public List<ServiceProcess> drawbridges() {
        return drawbridges;
    }

    public List<ServiceProcess> stewards() {
        return stewards;
    }

    public LocalHaproxy haproxy() {
        return haproxy;
    }

    /** The CSR the Stewards certify (DER). */
    public byte[] csr() throws IOException {
        return Files.readAllBytes(vectors.resolve("enarx/steward/milan.signed.crl.csr"));
    }

    /** The {@code --store}, {@code --database} and {@code --database-user} options the replicas run with. */
    public List<String> storeOptions() {
        return List.of("--store", blobs.toString(), "--database", database, "--database-user", postgres.user());
    }

    private static URI uri(InetSocketAddress a) {
        return URI.create("http://127.0.0.1:" + a.getPort());
    }

    @Override
    public void close() throws Exception {
        if (haproxy != null) haproxy.close();
        for (ServiceProcess p : drawbridges) p.close();
        for (ServiceProcess p : stewards) p.close();
        postgres.close();
    }
}
