package dev.donjon.bench;

import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The sim backend's costs: making the sim chain (once per user), measuring the runtime's class path (once per
 * process), one sim report (an ECDSA P-384 signature), and one complete Keep identity (P-384 key + report + CSR),
 * on 1 thread and on every core.
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.SimAttestationRate [seconds]}
 */
public final class SimAttestationRate {

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path dir = Files.createTempDirectory("donjon-sim-bench");
        try {
            long t0 = System.nanoTime();
            SimPlatform sim = new SimPlatform(dir.resolve("sim"), Clock.systemUTC());
            sim.authority();
            System.out.printf("sim chain made (2 x RSA-4096 + P-384):    %8.0f ms%n", (System.nanoTime() - t0) / 1e6);
            t0 = System.nanoTime();
            byte[] m = RuntimeMeasurement.ofThisProcess();
            System.out.printf(
                    "runtime measurement (%d class-path entries): %5.0f ms  %s%n",
                    System.getProperty("java.class.path").split(java.io.File.pathSeparator).length,
                    (System.nanoTime() - t0) / 1e6,
                    java.util.HexFormat.of().formatHex(m).substring(0, 16) + "...");
            byte[] reportData = new byte[64];
            int cores = Runtime.getRuntime().availableProcessors();
            for (int threads : new int[] {1, cores}) {
                rate("sim reports/s", threads, seconds, () -> sim.attest(reportData));
                rate(
                        "Keep identities (key+report+CSR)/s",
                        threads,
                        seconds,
                        () -> KeepIdentity.create(sim, CachedCollateral.none()));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    interface Work {
        Object run() throws Exception;
    }

    private static void rate(String what, int threads, double seconds, Work work) throws Exception {
        for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) work.run(); // warm-up
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        List<Future<Long>> counts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            counts.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                    work.run();
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> f : counts) total += f.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("%-38s %d thread(s): %8.0f%n", what, threads, total / elapsed);
    }
}
