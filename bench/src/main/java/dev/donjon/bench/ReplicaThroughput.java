package dev.donjon.bench;

import dev.donjon.cli.Donjon;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.testing.ReplicaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * Scale-out figures: the same bounded load against one replica of Drawbridge and of the Steward, then against two,
 * each behind HAProxy on loopback, in one run (so the two are measured under the same conditions). Each replica is a
 * JVM of its own (ReplicaCluster, as in the failover test). Three phases per layout, one after the other, each with
 * CONCURRENCY clients for SECONDS after a warm-up: publish (a 64 KiB module and an Enarx.toml per tag, four PUTs),
 * fetch (tag, root and both files, every digest checked), and attest (the real Enarx Milan CSR, the Steward's full
 * check and a fresh certificate). Prints one line per layout and phase: operations per second, and the failures
 * (there should be none).
 *
 * <pre>bench/replicas.sh [SECONDS] [CONCURRENCY]</pre>
 */
public final class ReplicaThroughput {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path vectors = Path.of(System.getProperty("donjon.shared", "../shared")).resolve("vectors");
        System.out.printf(
                "replicas behind HAProxy, %d clients per phase, %d s per phase after %d s of warm-up; %d cores; JDK %s%n",
                concurrency, seconds, seconds / 2, Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (int replicas : List.of(1, 2)) {
            Path dir = Files.createTempDirectory("replicas-bench");
            try (ReplicaCluster cluster =
                    ReplicaCluster.start(dir, Donjon.class.getName(), replicas, replicas, vectors)) {
                SSLContext plain = Tls.trusting(Optional.empty());
                DrawbridgeClient admin =
                        new DrawbridgeClient(cluster.registry(), plain, Optional.of(ReplicaCluster.TOKEN));
                admin.registerUser("bench", "cluster");
                admin.registerRepository("bench", "pkgs", true);
                ConcurrentLinkedQueue<String> tags = new ConcurrentLinkedQueue<>();
                byte[] csr = cluster.csr();
                report(
                        replicas,
                        "publish",
                        measure(seconds, concurrency, worker -> publisher(cluster.registry(), worker, tags)));
                report(
                        replicas,
                        "fetch",
                        measure(
                                seconds,
                                concurrency,
                                worker -> fetcher(cluster.registry(), worker, List.copyOf(tags))));
                report(
                        replicas,
                        "attest",
                        measure(seconds, concurrency, worker -> () -> attest(cluster.steward(), csr)));
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** One operation; throws when it failed. */
    private interface Operation {
        void run() throws Exception;
    }

    private interface Workers {
        Operation worker(int index);
    }

    private record Result(long ops, long failures, double seconds, String load) {}

    /** Runs each worker's operation in a loop: seconds/2 of warm-up, then {@code seconds} counted. */
    private static Result measure(int seconds, int concurrency, Workers workers) throws Exception {
        AtomicBoolean counting = new AtomicBoolean(), running = new AtomicBoolean(true);
        AtomicLong ops = new AtomicLong(), failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Operation op = workers.worker(i);
            threads.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        op.run();
                        if (counting.get()) ops.incrementAndGet();
                    } catch (Exception e) {
                        if (counting.get()) failures.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(seconds * 500L);
        counting.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        counting.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        running.set(false);
        for (Thread t : threads) t.join(Duration.ofMinutes(2));
        return new Result(ops.get(), failures.get(), elapsed, load);
    }

    private static void report(int replicas, String phase, Result r) {
        System.out.printf(
                "replicas=%d %-8s %8.1f /s  (%d in %.1f s, %d failed; load average %s)%n",
                replicas, phase, r.ops() / r.seconds(), r.ops(), r.seconds(), r.failures(), r.load());
    }

    private static Operation publisher(URI registry, int worker, ConcurrentLinkedQueue<String> tags) {
        DrawbridgeClient client =
                new DrawbridgeClient(registry, Tls.trusting(Optional.empty()), Optional.of(ReplicaCluster.TOKEN));
        Random random = new Random(worker);
        AtomicLong n = new AtomicLong();
        return () -> {
            String tag = "1." + worker + "." + n.getAndIncrement();
            byte[] wasm = new byte[64 << 10];
            random.nextBytes(wasm);
            client.publish(
                    "bench",
                    "pkgs",
                    tag,
                    new PackageTree(new TreeMap<>(Map.of(
                            PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"),
                            PackageTree.CONFIG,
                                    new PackageTree.File(("# " + tag + "\n").getBytes(), "application/toml")))),
                    Optional.empty());
            tags.add(tag);
        };
    }

    private static Operation fetcher(URI registry, int worker, List<String> tags) {
        PackageFetcher fetcher =
                new PackageFetcher(Tls.trusting(Optional.empty()), Optional.empty(), List.of(), Optional.of(registry));
        Random random = new Random(100 + worker);
        return () -> fetcher.fetch("bench/pkgs:" + tags.get(random.nextInt(tags.size())));
    }

    private static void attest(URI steward, byte[] csr) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(steward.resolve("/"))
                        .header("Content-Type", "application/pkcs10")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
    }
}
