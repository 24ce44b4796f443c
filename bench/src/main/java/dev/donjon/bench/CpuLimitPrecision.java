package dev.donjon.bench;

import dev.donjon.wasi.GuestFailedException;
import dev.donjon.wasi.WasiLimits;
import dev.donjon.wasi.WasiOptions;
import dev.donjon.wasi.WasiProgram;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How closely {@code --max-cpu-time} stops a busy guest: an infinite loop runs against a CPU-time limit, and a
 * sampler that spins only near the limit records the guest thread's CPU time when it last saw it alive and how long
 * (wall) the guest ran on after its CPU first passed the limit.
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.CpuLimitPrecision [LIMIT_MS] [RUNS]}
 */
public final class CpuLimitPrecision {
    private static final Path LOOP = Path.of("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm");

    public static void main(String[] args) throws Exception {
        long limitMs = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        WasiProgram program = WasiProgram.load(Files.readAllBytes(LOOP));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < runs; i++) {
            AtomicLong lastSeenCpu = new AtomicLong();
            AtomicLong passedAt = new AtomicLong();
            Thread sampler =
                    Thread.ofPlatform().daemon().start(() -> sample(cpu, limitMs * 1_000_000, lastSeenCpu, passedAt));
            String why;
            try {
                program.run(WasiOptions.builder()
                        .stdio(
                                InputStream.nullInputStream(),
                                OutputStream.nullOutputStream(),
                                OutputStream.nullOutputStream())
                        .limits(WasiLimits.defaults().withMaxCpuTime(Duration.ofMillis(limitMs)))
                        .build());
                why = "the guest ended by itself (unexpected)";
            } catch (GuestFailedException e) {
                why = e.getMessage();
            }
            long ended = System.nanoTime();
            sampler.interrupt();
            sampler.join();
            System.out.printf(
                    "limit %d ms: guest thread CPU last seen %.2f ms; ran on %.2f ms (wall) after passing the limit; %s%n",
                    limitMs,
                    lastSeenCpu.get() / 1e6,
                    passedAt.get() == 0 ? Double.NaN : (ended - passedAt.get()) / 1e6,
                    why);
        }
    }

    /** Finds the guest thread, naps until it nears the limit, then polls its CPU time as fast as it can. */
    private static void sample(ThreadMXBean cpu, long limitNanos, AtomicLong lastSeen, AtomicLong passedAt) {
        Thread guest = null;
        while (!Thread.currentThread().isInterrupted()) {
            if (guest == null) {
                guest = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("wasi-guest"))
                        .findFirst()
                        .orElse(null);
                continue;
            }
            long used = cpu.getThreadCpuTime(guest.threadId());
            if (used < 0) return;
            lastSeen.set(used);
            if (used > limitNanos && passedAt.get() == 0) passedAt.set(System.nanoTime());
            if (used < limitNanos - 30_000_000L) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
