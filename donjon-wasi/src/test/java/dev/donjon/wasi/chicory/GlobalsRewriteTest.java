package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Donjon's fast paths for globals ({@link GlobalsRewrite}) and for memory in locals across Chicory's memory helpers
 * ({@link MemoryInLocals}) change how compiled code reaches globals and memory, never what it computes:
 * fast_paths.wat (a C-like shadow stack in a global, loads around memory.fill/copy, memory.grow in a loop) gives the
 * same results as Chicory's own code.
 */
class GlobalsRewriteTest {
    private static final WasmModule MODULE = Parser.parse(CompiledJars.resource("/wasm/fast_paths.wasm"));

    @Test
    void theCodeUnderTestReadsGlobalsDirectly() throws IOException {
        assertTrue(GlobalsRewrite.applies(MODULE));
        assertTrue(CompiledJars.references(compile(null, true), DirectGlobals.OWNER));
        assertFalse(CompiledJars.references(compile(null, false), DirectGlobals.OWNER));
    }

    @Test
    void sameResultsAsChicorysOwnCode() {
        byte[] plain = ModuleCompiler.compile(MODULE, null, false, false).jar();
        byte[] fast = compile(null, true);
        byte[] split = compile(new LargeFunctionSplitter(8, 1), true);
        for (String[] call : new String[][] {{"stack", "1000"}, {"fill_copy", "50"}, {"grow_in_loop"}}) {
            long[] args = java.util.Arrays.stream(call)
                    .skip(1)
                    .mapToLong(Long::parseLong)
                    .toArray();
            String expected = CompiledJars.call(MODULE, plain, call[0], args);
            assertFalse(expected.startsWith("trap"), call[0] + " traps in Chicory's own code: " + expected);
            assertEquals(expected, CompiledJars.call(MODULE, fast, call[0], args), call[0]);
            assertEquals(expected, CompiledJars.call(MODULE, split, call[0], args), call[0] + ", split");
        }
    }

    /** A module that imports a global numbers its own globals after the imported ones: left to Chicory's code. */
    @Test
    void aModuleImportingAGlobalIsLeftAlone() {
        byte[] imports = {1, 3, 'e', 'n', 'v', 1, 'g', 3, 0x7f, 0}; // (import "env" "g" (global i32))
        byte[] module = new byte[8 + 2 + imports.length];
        System.arraycopy(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 2, (byte) imports.length}, 0, module, 0, 10);
        System.arraycopy(imports, 0, module, 10, imports.length);
        assertFalse(GlobalsRewrite.applies(Parser.parse(module)));
    }

    private static byte[] compile(LargeFunctionSplitter splitter, boolean rewrites) {
        return ModuleCompiler.compile(MODULE, splitter, rewrites, rewrites).jar();
    }
}
