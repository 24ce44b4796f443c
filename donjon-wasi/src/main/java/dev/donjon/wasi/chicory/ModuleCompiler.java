package dev.donjon.wasi.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.ByteClassCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.objectweb.asm.tree.MethodNode;

/**
 * Compiles a module with Chicory, then makes its very large functions fit HotSpot's JIT compilers: methods over the
 * splitter's limit are split ({@link LargeFunctionSplitter}), and functions too large for one JVM method at all,
 * which Chicory leaves to its interpreter, are compiled into several ({@link OversizedFunctions}).
 *
 * <p>The classes travel as one jar ({@link CompiledMachines}, which also loads them); the same bytes are what the
 * compiled-module cache keeps.
 */
final class ModuleCompiler {
    private static final Logger LOG = Logger.getLogger(ModuleCompiler.class.getName());

    /** The splitter guests run with ({@link Rewrites}). */
    static final LargeFunctionSplitter SPLITTER =
            Rewrites.SPLIT ? new LargeFunctionSplitter(Rewrites.SPLIT_LIMIT, Rewrites.SPLIT_MINIMUM) : null;

    private ModuleCompiler() {}

    /**
     * A compiled module.
     *
     * @param jar         its classes, as a Chicory cache entry
     * @param outcomes    the methods split, and those over the JIT's limit left whole
     * @param interpreted the functions left to Chicory's interpreter
     */
    record Compiled(byte[] jar, List<LargeFunctionSplitter.Outcome> outcomes, Set<Integer> interpreted) {}

    /** Compiles with the rewrites guests run with ({@link Rewrites}). */
    static Compiled compile(WasmModule module) {
        return compile(module, SPLITTER);
    }

    /** Compiles with {@code splitter} (null: Chicory's classes as they are), and {@link MemoryInLocals} as set. */
    static Compiled compile(WasmModule module, LargeFunctionSplitter splitter) {
        return compile(module, splitter, Rewrites.MEMORY_IN_LOCALS);
    }

    /** As {@link #compile(WasmModule, LargeFunctionSplitter)}, with or without {@link MemoryInLocals}. */
    static Compiled compile(WasmModule module, LargeFunctionSplitter splitter, boolean memoryInLocals) {
        return compile(module, splitter, memoryInLocals, Rewrites.DIRECT_GLOBALS);
    }

    /** As above, with or without {@link GlobalsRewrite} too. */
    static Compiled compile(
            WasmModule module, LargeFunctionSplitter splitter, boolean memoryInLocals, boolean directGlobals) {
        Compiler compiler = Compiler.builder(module)
                .withClassCollectorFactory(ByteClassCollector::new)
                .withInterpreterFallback(InterpreterFallback.SILENT)
                .build();
        var result = compiler.compile();
        String mainClass = result.collector().mainClassName();
        Map<String, byte[]> classes = result.classBytes();
        Set<Integer> interpreted = new HashSet<>(result.interpretedFunctions());
        List<LargeFunctionSplitter.Outcome> outcomes = List.of();
        if (splitter != null) {
            Map<Integer, MethodNode> code =
                    OversizedFunctions.emit(compiler, module, mainClass, StubDescriptors.of(classes, interpreted));
            Map<String, MethodNode> replacements = new TreeMap<>();
            code.forEach((index, method) -> replacements.put(method.name, method));
            var report = splitter.transform(classes, replacements);
            classes = report.classes();
            Set<Integer> compiled = new HashSet<>();
            for (var o : report.outcomes()) {
                if (o.split() && code.containsKey(FunctionNames.index(o.method())))
                    compiled.add(FunctionNames.index(o.method()));
            }
            if (!compiled.isEmpty()) {
                classes.put(mainClass, StubDescriptors.callCompiled(classes.get(mainClass), compiled));
                interpreted.removeAll(compiled);
            }
            log(module, report.outcomes(), compiled);
            outcomes = report.outcomes();
        }
        if (!interpreted.isEmpty()) {
            LOG.info(() -> "too large for JVM methods, run in Chicory's interpreter (much slower): "
                    + FunctionNames.describe(module, new java.util.TreeSet<>(interpreted)));
        }
        boolean shared = module.memorySection()
                .filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits().shared())
                .orElse(false);
        if (directGlobals && GlobalsRewrite.applies(module)) classes = GlobalsRewrite.transform(classes);
        if (memoryInLocals && !shared) classes = MemoryInLocals.transform(classes);
        return new Compiled(CompiledMachines.jar(mainClass, classes), outcomes, Set.copyOf(interpreted));
    }

    private static void log(WasmModule module, List<LargeFunctionSplitter.Outcome> outcomes, Set<Integer> oversized) {
        List<String> split = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        for (var o : outcomes) {
            int index = FunctionNames.index(o.method());
            String what = FunctionNames.describe(module, index) + ", " + String.format("%,d", o.bytes()) + " bytes";
            if (o.split()) {
                split.add(what + (oversized.contains(index) ? " (over the JVM's 64 KiB)" : "") + " -> "
                        + (o.parts() + 1) + " methods");
            } else {
                whole.add(what + ": " + o.reason());
            }
        }
        if (!split.isEmpty()) LOG.info(() -> "split for the JIT: " + String.join("; ", split));
        if (!whole.isEmpty()) {
            LOG.info(() -> "over the JIT's " + LargeFunctionSplitter.HUGE_METHOD_LIMIT + "-byte limit and left whole "
                    + "(C1/C2 may refuse them): " + String.join("; ", whole));
        }
    }
}
