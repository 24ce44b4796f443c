package dev.donjon.wasi.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import java.util.Collection;
import java.util.stream.Collectors;

/** How log lines name a module's functions: by index, and by the name section's name when the module has one. */
final class FunctionNames {
    private FunctionNames() {}

    static String describe(WasmModule module, int index) {
        String name = module.nameSection() == null ? null : module.nameSection().nameOfFunction(index);
        return name == null ? "function " + index : "function " + index + " (" + name + ")";
    }

    /** The function index in the name of the method Chicory compiles it to ({@code [Class.]func_N}), or -1. */
    static int index(String method) {
        int at = method.lastIndexOf("func_");
        if (at < 0 || (at > 0 && method.charAt(at - 1) != '.')) return -1;
        try {
            return Integer.parseInt(method, at + 5, method.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String describe(WasmModule module, Collection<Integer> indexes) {
        return indexes.stream().map(i -> describe(module, i)).collect(Collectors.joining(", "));
    }
}
