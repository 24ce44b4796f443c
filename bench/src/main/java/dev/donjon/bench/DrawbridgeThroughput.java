package dev.donjon.bench;

import dev.donjon.drawbridge.Authenticator;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.drawbridge.TokenFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Publish and fetch throughput of a loopback Drawbridge registry for a 10 MB module (plain HTTP, so the figures are
 * the registry's own work: hashing, fsync, verification; TLS adds its cipher cost on top).
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.DrawbridgeThroughput [MB] [rounds]}
 */
public final class DrawbridgeThroughput {
    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("drawbridge-bench");
        String token = "bench-token-0123456789abcdef";
        Files.writeString(dir.resolve("tokens"), token + " bench manage\n");
        byte[] wasm = new byte[mb << 20];
        new Random(42).nextBytes(wasm);
        SortedMap<String, PackageTree.File> files = new TreeMap<>();
        files.put(PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"));
        files.put(PackageTree.CONFIG, new PackageTree.File("[[files]]\nkind = \"stdout\"\n".getBytes(), "application/toml"));
        PackageTree tree = new PackageTree(files);
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Config(new RegistryStore(dir.resolve("store"), 1L << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(), false,
                new Authenticator(Optional.of(TokenFile.load(dir.resolve("tokens"))), Optional.empty(), false)))) {
            DrawbridgeClient client = new DrawbridgeClient(server.baseUri(), null, Optional.of(token));
            client.registerUser("bench", "bench");
            client.registerRepository("bench", "big", true);
            PackageFetcher fetcher = new PackageFetcher(null, Optional.empty(), Optional.empty(), Optional.of(server.baseUri()));
            // warm-up: JIT, page cache
            for (int i = 0; i < 3; i++) {
                client.publish("bench", "big", "0.0." + i, tree, Optional.empty());
                fetcher.fetch("bench/big:0.0." + i);
            }
            long pubNs = 0, fetchNs = 0;
            for (int i = 0; i < rounds; i++) {
                // a distinct module each round, so the content-addressed store cannot skip the write
                wasm[0] = (byte) i;
                wasm[1] = (byte) (i >> 8);
                files.put(PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"));
                PackageTree t = new PackageTree(files);
                long t0 = System.nanoTime();
                client.publish("bench", "big", "1.0." + i, t, Optional.empty());
                long t1 = System.nanoTime();
                var pkg = fetcher.fetch("bench/big:1.0." + i);
                long t2 = System.nanoTime();
                if (pkg.wasm().length != wasm.length) throw new IllegalStateException("fetched the wrong size");
                pubNs += t1 - t0;
                fetchNs += t2 - t1;
            }
            double pubMs = pubNs / 1e6 / rounds, fetchMs = fetchNs / 1e6 / rounds;
            System.out.printf("module %d MiB, %d rounds (JDK %s, %d cores)%n", mb, rounds, Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf("publish: %.1f ms/package  %.1f MiB/s (client hashing + upload + server verify + fsync)%n", pubMs, mb / (pubMs / 1000));
            System.out.printf("fetch:   %.1f ms/package  %.1f MiB/s (server re-verify + download + client verify)%n", fetchMs, mb / (fetchMs / 1000));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
