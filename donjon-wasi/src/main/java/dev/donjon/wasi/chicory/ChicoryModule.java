package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.donjon.common.OneLine;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.GuestFailedException;
import dev.donjon.wasi.GuestFailedException.Reason;
import dev.donjon.wasi.ModuleRejectedException;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import dev.donjon.wasi.host.GuestMemory;
import dev.donjon.wasi.host.ProcExit;
import dev.donjon.wasi.host.ValueType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A validated WASI command compiled to JVM bytecode by Chicory. Compiling is the expensive step (hundreds of
 * ms); {@link #run} instantiates the compiled machine afresh for each run (milliseconds), so one
 * ChicoryModule can be kept and run many times.
 */
public final class ChicoryModule {
    private static final byte[] MAGIC = {0, 'a', 's', 'm'};
    private static final Logger LOG = Logger.getLogger(ChicoryModule.class.getName());

    private final WasmModule module;
    private final Function<Instance, Machine> machines;
    private final MemoryLimits declaredMemory;

    private ChicoryModule(WasmModule module, Function<Instance, Machine> machines, MemoryLimits declaredMemory) {
        this.module = module;
        this.machines = machines;
        this.declaredMemory = declaredMemory;
    }

    /**
     * Parses, checks and compiles a WASI command module.
     *
     * @param wasiSignatures the functions the host provides, by name (module wasi_snapshot_preview1)
     */
    public static ChicoryModule compile(byte[] wasm, Map<String, dev.donjon.wasi.host.HostFunction> wasiSignatures) {
        return compile(wasm, wasiSignatures, CompiledModuleCache.disabled());
    }

    /**
     * As {@link #compile(byte[], Map)}, taking the compiled classes from {@code cache} when a run of the same module
     * on the same Chicory version put them there (checks run either way; only the compile is skipped).
     */
    public static ChicoryModule compile(
            byte[] wasm, Map<String, dev.donjon.wasi.host.HostFunction> wasiSignatures, CompiledModuleCache cache) {
        return compile(wasm, wasiSignatures, cache, true, null);
    }

    /**
     * As {@link #compile(byte[], Map)}, with large functions split by {@code splitter} (null: not at all) instead of
     * the default: for tests and measurements.
     */
    public static ChicoryModule compile(
            byte[] wasm,
            Map<String, dev.donjon.wasi.host.HostFunction> wasiSignatures,
            LargeFunctionSplitter splitter) {
        return compile(wasm, wasiSignatures, CompiledModuleCache.disabled(), false, splitter);
    }

    /**
     * @param rewrites whether to compile with the rewrites guests run with ({@link Rewrites}), else with
     *                 {@code splitter}: kept apart so that a module found in the cache loads no rewrite (see
     *                 {@link CompiledMachines})
     */
    private static ChicoryModule compile(
            byte[] wasm,
            Map<String, dev.donjon.wasi.host.HostFunction> wasiSignatures,
            CompiledModuleCache cache,
            boolean rewrites,
            LargeFunctionSplitter splitter) {
        if (wasm.length < 8 || !Arrays.equals(wasm, 0, 4, MAGIC, 0, 4)) {
            throw new ModuleRejectedException("not a WebAssembly module (bad magic)");
        }
        if (wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0) {
            throw new ModuleRejectedException("unsupported WebAssembly binary version (only version 1 modules run)");
        }
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ModuleRejectedException("malformed WebAssembly module: " + OneLine.of(e), e);
        }
        checkImports(module, wasiSignatures);
        checkStart(module);
        MemoryLimits declared = module.memorySection()
                .filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits())
                .orElse(null);
        // (the cache keeps only what the default rewrites made: their version is in the entries' key)
        boolean cached = cache.isEnabled() && rewrites && ChicoryCache.ENGINE != null && module.digest() != null;
        Function<Instance, Machine> machines = null;
        byte[] entry = cached ? new ChicoryCache(cache, true).get(module.digest()) : null;
        if (entry != null) {
            try {
                machines = CompiledMachines.load(module, entry);
            } catch (RuntimeException | LinkageError e) {
                // an entry that passed its integrity check (so ours) but does not load: compile anew, overwrite it
                LOG.fine(() -> "compiled-module cache entry unusable, compiling: " + OneLine.of(e));
            }
        }
        try {
            if (machines == null) {
                byte[] classes =
                        (rewrites ? ModuleCompiler.compile(module) : ModuleCompiler.compile(module, splitter)).jar();
                if (cached) new ChicoryCache(cache, false).put(module.digest(), classes);
                machines = CompiledMachines.load(module, classes);
            }
        } catch (ChicoryException | IllegalArgumentException | IllegalStateException e) {
            throw new ModuleRejectedException("module could not be compiled: " + OneLine.of(e), e);
        }
        return new ChicoryModule(module, machines, declared);
    }

    private static void checkImports(WasmModule module, Map<String, dev.donjon.wasi.host.HostFunction> wasi) {
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import imp = imports.getImport(i);
            String what = imp.module() + "::" + imp.name();
            if (imp.importType() != ExternalType.FUNCTION) {
                throw new ModuleRejectedException(
                        "unsupported import " + what + " (only WASI functions can be imported)");
            }
            var fn = wasi.get(imp.name());
            if (!imp.module().equals(dev.donjon.wasi.host.Wasi.MODULE) || fn == null) {
                throw new ModuleRejectedException("unknown import " + what);
            }
            FunctionType type = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            if (!type.equals(chicoryType(fn))) {
                throw new ModuleRejectedException(
                        "import " + what + " has type " + type + ", WASI defines " + chicoryType(fn));
            }
        }
    }

    private static void checkStart(WasmModule module) {
        var exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export e = exports.getExport(i);
            if (e.name().equals("_start")) {
                if (e.exportType() != ExternalType.FUNCTION) {
                    throw new ModuleRejectedException("module's _start export is not a function");
                }
                int imported = module.importSection().count(ExternalType.FUNCTION);
                int local = e.index() - imported;
                if (local >= 0) {
                    FunctionType t = module.functionSection().getFunctionType(local, module.typeSection());
                    if (!t.params().isEmpty()) {
                        throw new ModuleRejectedException(
                                "module's _start takes parameters (" + t + "); a WASI command's takes none");
                    }
                }
                return;
            }
        }
        throw new ModuleRejectedException("module has no _start export (not a WASI command)");
    }

    static FunctionType chicoryType(dev.donjon.wasi.host.HostFunction fn) {
        return FunctionType.of(
                fn.params().stream().map(ChicoryModule::valType).toList(),
                fn.results().stream().map(ChicoryModule::valType).toList());
    }

    private static ValType valType(ValueType t) {
        return t == ValueType.I32 ? ValType.I32 : ValType.I64;
    }

    /**
     * Instantiates and runs {@code _start} on the calling thread.
     *
     * @return the exit code (0 when _start returns)
     */
    public int run(List<dev.donjon.wasi.host.HostFunction> functions, int maxMemoryPages) {
        int initial = declaredMemory == null ? 0 : declaredMemory.initialPages();
        int max = declaredMemory == null ? 0 : Math.min(declaredMemory.maximumPages(), maxMemoryPages);
        if (initial > maxMemoryPages) {
            throw new GuestFailedException(
                    Reason.MEMORY_LIMIT,
                    "guest needs " + mib(initial) + " of memory at start, over its memory limit of "
                            + mib(maxMemoryPages));
        }
        JitRefusals.watch(module);
        MemoryHolder holder = new MemoryHolder();
        HostFunction[] bound = functions.stream().map(f -> bind(f, holder)).toArray(HostFunction[]::new);
        Instance instance;
        try {
            Instance.Builder builder = Instance.builder(module)
                    .withImportValues(ImportValues.builder().addFunction(bound).build())
                    .withMachineFactory(machines)
                    .withMemoryFactory(ChicoryModule::memory)
                    .withStart(false);
            if (declaredMemory != null) builder.withMemoryLimits(new MemoryLimits(initial, max));
            instance = builder.build();
        } catch (ProcExit e) {
            return e.code();
        } catch (ChicoryException e) {
            throw new GuestFailedException(Reason.TRAP, "guest could not be instantiated: " + OneLine.of(e), e);
        }
        holder.memory = instance.memory() == null ? null : new ChicoryMemory(instance.memory());
        try {
            instance.export("_start").apply();
            return 0;
        } catch (ProcExit e) {
            return e.code();
        } catch (ChicoryInterruptedException e) {
            throw new GuestFailedException(Reason.STOPPED, "guest was stopped", e);
        } catch (StackOverflowError e) {
            throw new GuestFailedException(Reason.TRAP, "guest trapped: call stack exhausted");
        } catch (OutOfMemoryError e) {
            throw new GuestFailedException(Reason.HOST_ERROR, "host ran out of Java heap while running the guest");
        } catch (ChicoryException e) {
            Memory mem = instance.memory();
            // A trap with memory close to a ceiling that is ours (not the module's own maximum) is, in
            // practice, a failed memory.grow followed by abort(): report the limit, which is the cause.
            boolean ourCeiling = declaredMemory != null && declaredMemory.maximumPages() > maxMemoryPages;
            if (mem != null && ourCeiling && mem.pages() >= maxMemoryPages - Math.max(16, maxMemoryPages / 10)) {
                throw new GuestFailedException(
                        Reason.MEMORY_LIMIT,
                        "guest exceeded its memory limit of " + mib(maxMemoryPages) + " (it trapped with "
                                + mib(mem.pages()) + " in use: " + OneLine.of(e) + ")",
                        e);
            }
            throw new GuestFailedException(Reason.TRAP, "guest trapped: " + OneLine.of(e), e);
        }
    }

    /**
     * One flat array (guest loads and stores 2-2.5x faster than Chicory's paged memory: bench/README.md), which the
     * compiled code keeps in locals ({@link MemoryInLocals}); a Java array ends one page short of a 2 GiB ceiling,
     * which is where such a memory stops growing. Chicory's paged memory only for a shared memory, whose code is
     * compiled without {@link MemoryInLocals}.
     */
    private static Memory memory(MemoryLimits limits) {
        return limits.shared() ? new ByteArrayMemory(limits) : new ContiguousMemory(limits);
    }

    /** The memory is known only once the instance exists; host functions look it up through this. */
    private static final class MemoryHolder {
        GuestMemory memory;
    }

    private static HostFunction bind(dev.donjon.wasi.host.HostFunction fn, MemoryHolder holder) {
        FunctionType type = chicoryType(fn);
        boolean returns = !fn.results().isEmpty();
        var body = fn.body();
        return new HostFunction(fn.module(), fn.name(), type, (instance, args) -> {
            GuestMemory m = holder.memory;
            if (m == null) {
                m = instance.memory() == null ? NO_MEMORY : new ChicoryMemory(instance.memory());
                holder.memory = m;
            }
            long r = body.call(m, args);
            return returns ? new long[] {r} : null;
        });
    }

    private static final GuestMemory NO_MEMORY = new GuestMemory() {
        private Fault fault() {
            return new Fault("module has no memory");
        }

        @Override
        public byte readU8(int addr) {
            throw fault();
        }

        @Override
        public short readU16(int addr) {
            throw fault();
        }

        @Override
        public int readI32(int addr) {
            throw fault();
        }

        @Override
        public long readI64(int addr) {
            throw fault();
        }

        @Override
        public void writeU8(int addr, int value) {
            throw fault();
        }

        @Override
        public void writeU16(int addr, int value) {
            throw fault();
        }

        @Override
        public void writeI32(int addr, int value) {
            throw fault();
        }

        @Override
        public void writeI64(int addr, long value) {
            throw fault();
        }

        @Override
        public byte[] read(int addr, int length) {
            throw fault();
        }

        @Override
        public void write(int addr, byte[] src, int offset, int length) {
            throw fault();
        }

        @Override
        public long size() {
            return 0;
        }
    };

    static String mib(int pages) {
        long bytes = (long) pages * Memory.PAGE_SIZE;
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    /** Names of the map for {@link #compile}: the host functions by name. */
    public static Map<String, dev.donjon.wasi.host.HostFunction> byName(List<dev.donjon.wasi.host.HostFunction> fns) {
        Map<String, dev.donjon.wasi.host.HostFunction> m = new HashMap<>();
        for (var f : fns) m.put(f.name(), f);
        return m;
    }
}
