package dev.donjon.wasi.chicory;

import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;

/**
 * Which of Donjon's rewrites of Chicory's classes guests run with ({@link ModuleCompiler}), and their version for the
 * compiled-module cache's keys. Nothing here rewrites, so that a run of a cached module reads the version without
 * loading a rewrite (each uses ASM; see {@link CompiledMachines}): the rewrites' versions and defaults are constants.
 *
 * <p>The system properties exist for measuring: {@code donjon.split=false} (Chicory's code as it is),
 * {@code donjon.split.limit} and {@code donjon.split.minimum} (bytes), {@code donjon.memory-in-locals=false},
 * {@code donjon.bound-accessors=false} and {@code donjon.direct-globals=false}.
 */
final class Rewrites {
    /** Whether {@link LargeFunctionSplitter} runs, and with what limit and minimum. */
    static final boolean SPLIT = Boolean.parseBoolean(System.getProperty("donjon.split", "true"));

    static final int SPLIT_LIMIT = Integer.getInteger("donjon.split.limit", LargeFunctionSplitter.DEFAULT_LIMIT);
    static final int SPLIT_MINIMUM = Integer.getInteger("donjon.split.minimum", LargeFunctionSplitter.DEFAULT_MINIMUM);

    /** Whether {@link MemoryInLocals} runs, and whether it binds the memory accessors. */
    static final boolean MEMORY_IN_LOCALS = Boolean.parseBoolean(System.getProperty("donjon.memory-in-locals", "true"));

    static final boolean BOUND_ACCESSORS = Boolean.parseBoolean(System.getProperty("donjon.bound-accessors", "true"));

    /** Whether {@link GlobalsRewrite} runs. */
    static final boolean DIRECT_GLOBALS = Boolean.parseBoolean(System.getProperty("donjon.direct-globals", "true"));

    private Rewrites() {}

    /** The version of what these settings make, for cache keys. */
    static String version() {
        return (SPLIT ? LargeFunctionSplitter.VERSION + "-" + SPLIT_LIMIT + "-" + SPLIT_MINIMUM : "unsplit")
                + (MEMORY_IN_LOCALS ? "+" + MemoryInLocals.VERSION + (BOUND_ACCESSORS ? "" : "-unbound") : "")
                + (DIRECT_GLOBALS ? "+" + GlobalsRewrite.VERSION : "");
    }
}
