package dev.donjon.bench;

import dev.donjon.wasi.WasiProgram;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long checking and compiling a module takes in a JVM that compiled another module first, as a Keep does: a Keep
 * trains on a module of its own before the workload's comes (KeepMain), then compiles the workload's itself. Prints
 * the training module's compile time, then each compile of the target's (no compiled-module cache).
 *
 * <p>Run: {@code java -XX:-DontCompileHugeMethods -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * dev.donjon.bench.ModuleCompileTime donjon-keep/src/main/wasm/training.wasm examples/rot13/rot13.wasm [TIMES]}.
 * One JVM gives one figure per compile and the JIT makes them vary: run it a few times, alternating what is compared.
 */
public final class ModuleCompileTime {
    private ModuleCompileTime() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ModuleCompileTime TRAINING.wasm TARGET.wasm [TIMES]");
            System.exit(2);
        }
        byte[] training = Files.readAllBytes(Path.of(args[0]));
        byte[] target = Files.readAllBytes(Path.of(args[1]));
        int times = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long t = System.nanoTime();
        WasiProgram.load(training);
        System.out.printf("training %s: %d ms%n", args[0], (System.nanoTime() - t) / 1_000_000);
        for (int i = 0; i < times; i++) {
            t = System.nanoTime();
            WasiProgram.load(target);
            System.out.printf("target %s: %d ms%n", args[1], (System.nanoTime() - t) / 1_000_000);
        }
    }
}
