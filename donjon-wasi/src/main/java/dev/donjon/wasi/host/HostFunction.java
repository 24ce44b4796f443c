package dev.donjon.wasi.host;

import java.util.List;

/**
 * One imported function as an engine binds it: its wasm signature and its body. {@code results} is empty
 * (proc_exit) or a single I32 (an errno).
 */
public record HostFunction(String module, String name, List<ValueType> params, List<ValueType> results, Body body) {

    public HostFunction {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    @FunctionalInterface
    public interface Body {
        /** Arguments as wasm values (i32 in the low 32 bits); returns the single result (ignored if none). */
        long call(GuestMemory memory, long[] args);
    }
}
