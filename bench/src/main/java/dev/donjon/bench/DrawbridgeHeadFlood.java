package dev.donjon.bench;

import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import dev.donjon.server.TokenFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 12: anonymous HEAD requests on a public 100 MiB file must not slow everyone else down. A loopback registry
 * (plain HTTP) holds a package with a MB-MiB main.wasm; FLOODERS threads send HEAD requests for it as fast as they can
 * while one client times small GETs (the package's Enarx.toml), before and during the flood.
 * Run: {@code bench/drawbridge-head-flood.sh}, or {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * dev.donjon.bench.DrawbridgeHeadFlood [MB] [FLOODERS] [SAMPLES]}.
 */
public final class DrawbridgeHeadFlood {
    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int flooders = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Path dir = Files.createTempDirectory("drawbridge-flood");
        String token = "bench-token-0123456789abcdef";
        Files.writeString(dir.resolve("tokens"), token + " bench manage\n");
        byte[] wasm = new byte[(mb << 20) - 4096];
        new Random(42).nextBytes(wasm);
        SortedMap<String, PackageTree.File> files = new TreeMap<>();
        files.put(PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"));
        files.put(
                PackageTree.CONFIG,
                new PackageTree.File("[[files]]\nkind = \"stdout\"\n".getBytes(), "application/toml"));
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1L << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(),
                false,
                new Authenticator(Optional.of(TokenFile.load(dir.resolve("tokens"))), Optional.empty(), false)))) {
            DrawbridgeClient client = new DrawbridgeClient(server.baseUri(), null, Optional.of(token));
            client.registerUser("bench", "bench");
            client.registerRepository("bench", "big", true);
            client.publish("bench", "big", "1.0.0", new PackageTree(files), Optional.empty());
            URI big = URI.create(server.baseUri() + "/api/v0.1.0/bench/big/_tag/1.0.0/tree/main.wasm");
            URI small = URI.create(server.baseUri() + "/api/v0.1.0/bench/big/_tag/1.0.0/tree/Enarx.toml");
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 100; i++)
                http.send(HttpRequest.newBuilder(small).build(), HttpResponse.BodyHandlers.discarding()); // warm-up
            List<Long> quiet = sample(http, small, samples);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong heads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < flooders; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    HttpClient h = HttpClient.newHttpClient();
                    while (flooding.get()) {
                        try {
                            h.send(
                                    HttpRequest.newBuilder(big)
                                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                            heads.incrementAndGet();
                        } catch (Exception e) {
                            return;
                        }
                    }
                }));
            }
            Thread.sleep(2000);
            long h0 = heads.get(), t0 = System.nanoTime();
            List<Long> flooded = sample(http, small, samples);
            double headsPerSecond = (heads.get() - h0) / ((System.nanoTime() - t0) / 1e9);
            flooding.set(false);
            for (Thread t : threads) t.join();
            System.out.printf(
                    "small GET ms quiet p50 %.2f p99 %.2f | during a HEAD flood on %d MiB (%d threads, %.0f HEAD/s) p50 %.2f p99 %.2f%n",
                    ms(quiet, 0.5), ms(quiet, 0.99), mb, flooders, headsPerSecond, ms(flooded, 0.5), ms(flooded, 0.99));
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<Long> sample(HttpClient http, URI uri, int n) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            out.add(System.nanoTime() - t);
        }
        Collections.sort(out);
        return out;
    }

    private static double ms(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1e6;
    }
}
