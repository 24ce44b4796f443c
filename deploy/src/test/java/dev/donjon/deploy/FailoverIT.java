package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.cli.Donjon;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.testing.ReplicaCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Drawbridge replicas (one PostgreSQL catalog, one blob directory) and two Stewards behind HAProxy, under a bounded
 * load of publishers, fetchers and attesting Keeps; one replica of each is killed (SIGKILL) in the middle. Then: every
 * publish a client was told succeeded is there, whole, through the surviving replica; the catalog names no content
 * the store lacks ({@code donjon drawbridge check}); every tag is one a client finished publishing; and every client
 * kept succeeding after the kill (failures only around it). The killed Drawbridge, started again, serves what was
 * published while it was down. Runs in {@code ./mvnw verify} (Debian's postgresql and haproxy: .ci/test-packages.sh).
 */
class FailoverIT {
    private static final Duration BEFORE_KILL = Duration.ofSeconds(5);
    private static final Duration AFTER_KILL = Duration.ofSeconds(12);
    /** How long after the kill a client may still see failures: HAProxy marks a replica down after 2 checks 500 ms apart. */
    private static final Duration DISRUPTION = Duration.ofSeconds(10);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What the clients saw: when each operation finally succeeded or failed, and what was acknowledged. */
    private static final class Outcomes {
        final Map<String, byte[]> published = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> failures = new ConcurrentLinkedQueue<>();
        final AtomicInteger publishes = new AtomicInteger(),
                fetches = new AtomicInteger(),
                attestations = new AtomicInteger();
        final AtomicLong lastPublishNanos = new AtomicLong(),
                lastFetchNanos = new AtomicLong(),
                lastAttestationNanos = new AtomicLong();
        final ConcurrentLinkedQueue<String> failureReasons = new ConcurrentLinkedQueue<>();

        void failed(String what, Exception e) {
            failures.add(System.nanoTime());
            if (failureReasons.size() < 20) failureReasons.add(what + ": " + e.getMessage());
        }
    }

    @Test
    void killingOneReplicaOfEachLosesNothingAndClientsRecover(@TempDir Path dir) throws Exception {
        Path vectors =
                Path.of(System.getProperty("donjon.shared", "../../shared")).resolve("vectors");
        try (ReplicaCluster cluster = ReplicaCluster.start(dir, Donjon.class.getName(), 2, 2, vectors)) {
            SSLContext noTls = Tls.trusting(Optional.empty());
            DrawbridgeClient admin = new DrawbridgeClient(cluster.registry(), noTls, Optional.of(ReplicaCluster.TOKEN));
            admin.registerUser("load", "cluster");
            admin.registerRepository("load", "pkgs", true);
            byte[] csr = cluster.csr();

            Outcomes o = new Outcomes();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int w = 0; w < 3; w++)
                clients.add(Thread.ofVirtual().start(publisher(cluster.registry(), w, running, o)));
            for (int w = 0; w < 2; w++)
                clients.add(Thread.ofVirtual().start(fetcher(cluster.registry(), w, running, o)));
            for (int w = 0; w < 3; w++)
                clients.add(Thread.ofVirtual().start(attester(cluster.steward(), csr, running, o)));

            // every kind of client is under way (the first attestation on a cold JVM takes seconds on a busy machine)
            long warm = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while ((o.publishes.get() < 3 || o.fetches.get() < 3 || o.attestations.get() < 3)
                    && System.nanoTime() < warm) Thread.sleep(200);
            Thread.sleep(BEFORE_KILL.toMillis());
            int publishedBeforeKill = o.publishes.get(), attestedBeforeKill = o.attestations.get();
            long killed = System.nanoTime();
            cluster.drawbridges().get(0).kill();
            cluster.stewards().get(0).kill();
            Thread.sleep(AFTER_KILL.toMillis());
            running.set(false);
            for (Thread t : clients)
                t.join(TimeUnit.MINUTES.toMillis(3)); // each finishes (and retries) what it started

            String seen =
                    "publishes %d (%d before the kill), fetches %d, attestations %d (%d before), failed attempts %d: %s"
                            .formatted(
                                    o.publishes.get(),
                                    publishedBeforeKill,
                                    o.fetches.get(),
                                    o.attestations.get(),
                                    attestedBeforeKill,
                                    o.failures.size(),
                                    o.failureReasons);
            System.out.println("FailoverIT: " + seen);
            assertTrue(publishedBeforeKill > 0 && attestedBeforeKill > 0, "load ran before the kill: " + seen);
            long recovered = killed + DISRUPTION.toNanos();
            assertTrue(o.lastPublishNanos.get() > recovered, "publishes succeed after the kill: " + seen);
            assertTrue(o.lastFetchNanos.get() > recovered, "fetches succeed after the kill: " + seen);
            assertTrue(o.lastAttestationNanos.get() > recovered, "attestations succeed after the kill: " + seen);
            assertTrue(
                    o.failures.stream().allMatch(t -> t < recovered),
                    "no failure later than " + DISRUPTION + " after the kill: " + seen);

            // nothing acknowledged was lost: every publish a client saw succeed is there, whole, on the surviving
            // replica
            PackageFetcher fetcher =
                    new PackageFetcher(noTls, Optional.empty(), List.of(), Optional.of(cluster.registry()));
            for (var e : o.published.entrySet())
                assertArrayEquals(
                        e.getValue(), fetcher.fetch("load/pkgs:" + e.getKey()).wasm(), "tag " + e.getKey());
            // every tag is one a client finished publishing, and no tag or node names content the store lacks
            assertEquals(
                    new TreeMap<>(o.published).keySet().stream().sorted().toList(),
                    admin.tags("load", "pkgs").stream().sorted().toList());
            assertEquals("", check(cluster));

            // the killed replica, started again, serves what was published while it was down (shared state)
            cluster.restartDrawbridge(0);
            cluster.haproxy().awaitState("drawbridge", "drawbridge-0", "UP", 60, TimeUnit.SECONDS);
            PackageFetcher direct =
                    new PackageFetcher(noTls, Optional.empty(), List.of(), Optional.of(cluster.drawbridgeReplica(0)));
            String last = o.published.keySet().stream().max(String::compareTo).orElseThrow();
            assertArrayEquals(
                    o.published.get(last), direct.fetch("load/pkgs:" + last).wasm());
        }
    }

    /** Publishes tags 1.W.N in turn; an attempt that fails is retried (publishing is idempotent) until it succeeds. */
    private static Runnable publisher(URI registry, int worker, AtomicBoolean running, Outcomes o) {
        return () -> {
            DrawbridgeClient client =
                    new DrawbridgeClient(registry, Tls.trusting(Optional.empty()), Optional.of(ReplicaCluster.TOKEN));
            Random random = new Random(worker);
            for (int n = 0; running.get(); n++) {
                String tag = "1." + worker + "." + n;
                byte[] wasm = new byte[16 << 10];
                random.nextBytes(wasm);
                PackageTree tree = new PackageTree(new TreeMap<>(Map.of(
                        PackageTree.WASM,
                        new PackageTree.File(wasm, "application/wasm"),
                        PackageTree.CONFIG,
                        new PackageTree.File(
                                ("# " + tag + "\n").getBytes(StandardCharsets.UTF_8), "application/toml"))));
                while (true) {
                    try {
                        client.publish("load", "pkgs", tag, tree, Optional.empty());
                        o.published.put(tag, wasm);
                        o.publishes.incrementAndGet();
                        o.lastPublishNanos.set(System.nanoTime());
                        break;
                    } catch (RuntimeException e) {
                        o.failed("publish " + tag, e);
                        pause();
                    }
                }
            }
        };
    }

    /** Fetches (and verifies, node by node) a random acknowledged tag, again and again. */
    private static Runnable fetcher(URI registry, int worker, AtomicBoolean running, Outcomes o) {
        return () -> {
            PackageFetcher fetcher = new PackageFetcher(
                    Tls.trusting(Optional.empty()), Optional.empty(), List.of(), Optional.of(registry));
            Random random = new Random(100 + worker);
            while (running.get()) {
                List<String> tags = new ArrayList<>(o.published.keySet());
                if (tags.isEmpty()) {
                    pause();
                    continue;
                }
                String tag = tags.get(random.nextInt(tags.size()));
                try {
                    byte[] wasm = fetcher.fetch("load/pkgs:" + tag).wasm();
                    if (!java.util.Arrays.equals(wasm, o.published.get(tag)))
                        throw new IllegalStateException("tag " + tag + " came back different");
                    o.fetches.incrementAndGet();
                    o.lastFetchNanos.set(System.nanoTime());
                } catch (Exception e) {
                    o.failed("fetch " + tag, e);
                    pause();
                }
            }
        };
    }

    /** A Keep asking for its certificate, again and again. */
    private static Runnable attester(URI steward, byte[] csr, AtomicBoolean running, Outcomes o) {
        return () -> {
            while (running.get()) {
                try {
                    HttpResponse<byte[]> r = HTTP.send(
                            HttpRequest.newBuilder(steward.resolve("/"))
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/pkcs10")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200)
                        throw new IllegalStateException(
                                "HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                    o.attestations.incrementAndGet();
                    o.lastAttestationNanos.set(System.nanoTime());
                } catch (Exception e) {
                    o.failed("attest", e);
                    pause();
                }
            }
        };
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code donjon drawbridge check} on the shared store: empty when consistent, else what it printed. */
    private static String check(ReplicaCluster cluster) {
        List<String> args = new ArrayList<>(List.of("drawbridge", "check"));
        args.addAll(cluster.storeOptions());
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        synchronized (System.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                code = Donjon.execute(args.toArray(String[]::new));
            } finally {
                System.setOut(stdout);
            }
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("drawbridge: "), printed);
        return code == 0 ? "" : printed;
    }
}
