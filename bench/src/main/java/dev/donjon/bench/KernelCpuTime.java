package dev.donjon.bench;

import dev.donjon.wasi.chicory.ChicoryModule;
import dev.donjon.wasi.host.Descriptor;
import dev.donjon.wasi.host.FdTable;
import dev.donjon.wasi.host.HostFunction;
import dev.donjon.wasi.host.Wasi;
import dev.donjon.wasi.host.WasiPreview1;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A compute kernel (bench/compute) timed by its own thread's CPU time instead of the wall clock: every WASI clock
 * the guest reads answers with the CPU time its thread has used. On this shared machine a wall-clock iteration
 * mostly measures the other jobs; CPU time moves far less, so two engine builds can be compared in the same minutes
 * (what bench/README.md calls "guest CPU ms"). Not a substitute for {@code bench/compute.sh}: the JIT's compiler
 * threads and the start-up are not in these figures.
 *
 * <p>Run: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.KernelCpuTime
 * bench/compute/matmul.wasm 6 [SIZE]}; prints the kernel's own output (first_ms, steady_ms: CPU milliseconds).
 */
public final class KernelCpuTime {
    private KernelCpuTime() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KernelCpuTime KERNEL.wasm ITERATIONS [SIZE]");
            System.exit(2);
        }
        byte[] wasm = Files.readAllBytes(Path.of(args[0]));
        List<String> argv = new ArrayList<>(List.of("main.wasm"));
        argv.addAll(List.of(args).subList(1, args.length));
        FdTable fds = new FdTable(16);
        // stdio as wasmtime reports host streams (unknown file type, not seekable): the kernels only print
        fds.append(new Descriptor.Input(new ByteArrayInputStream(new byte[0]), Wasi.FILETYPE_UNKNOWN, false));
        fds.append(new Descriptor.Output(System.out, Wasi.FILETYPE_UNKNOWN, false));
        fds.append(new Descriptor.Output(System.err, Wasi.FILETYPE_UNKNOWN, false));
        WasiPreview1 wasi = new WasiPreview1(argv, List.of(), fds);
        List<HostFunction> functions = new ArrayList<>();
        var threads = ManagementFactory.getThreadMXBean();
        for (HostFunction f : wasi.functions()) {
            functions.add(
                    !f.name().equals("clock_time_get")
                            ? f
                            : new HostFunction(f.module(), f.name(), f.params(), f.results(), (memory, a) -> {
                                memory.writeI64((int) a[2], threads.getCurrentThreadCpuTime());
                                return 0;
                            }));
        }
        ChicoryModule module = ChicoryModule.compile(wasm, ChicoryModule.byName(functions));
        AtomicInteger exit = new AtomicInteger();
        Thread guest = new Thread(null, () -> exit.set(module.run(functions, 8192)), "kernel", 256L << 20);
        guest.start();
        guest.join();
        System.out.flush();
        System.exit(exit.get());
    }
}
