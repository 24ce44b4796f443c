package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Functions that keep no memory in locals have their loads and stores bound to {@link DirectMemoryAccess} in place
 * of Chicory's helpers: they must read and write the same bytes, trap at the same addresses, and see a memory that a
 * {@code memory.grow} replaced. bound_accessors.wat: each export stores at {@code a} (plus the access's offset) and
 * loads back, in a function without a loop.
 */
class BoundAccessorsTest {
    private static final WasmModule MODULE = Parser.parse(CompiledJars.resource("/wasm/bound_accessors.wasm"));
    private static final String[] EXPORTS = {"rw8", "rw16", "rw32", "rw64", "rwf32", "rwf64"};
    private static final String SHADED_ACCESSOR = "memory(Read|Write)(Byte|Short|Int|Long|Float|Double)";

    @Test
    void noAccessIsLeftToChicorysHelpers() throws IOException {
        byte[] chicory = ModuleCompiler.compile(MODULE, null, false).jar();
        byte[] bound = ModuleCompiler.compile(MODULE, null, true).jar();
        assertEquals(14, CompiledJars.callSites(chicory, c -> c.name.matches(SHADED_ACCESSOR)));
        assertEquals(0, CompiledJars.callSites(bound, c -> c.name.matches(SHADED_ACCESSOR)));
        assertEquals(
                14,
                CompiledJars.callSites(
                        bound,
                        c -> c.owner.equals("dev/donjon/wasi/chicory/DirectMemoryAccess")
                                && c.desc.contains("Lcom/dylibso/chicory/runtime/Memory;)")));
    }

    @Test
    void sameValuesAndTrapsAsChicorysOwnCode() {
        byte[] chicory = ModuleCompiler.compile(MODULE, null, false).jar();
        byte[] bound = ModuleCompiler.compile(MODULE, null, true).jar();
        long[] addresses = {
            0,
            100,
            65_519,
            65_520,
            65_522,
            65_524,
            65_526,
            65_527,
            65_528,
            65_530,
            65_531,
            65_533,
            65_534,
            65_535,
            65_536,
            -1,
            -2,
            -4,
            -8,
            -9,
            Integer.MIN_VALUE,
            Integer.MAX_VALUE
        };
        int traps = 0;
        for (String export : EXPORTS) {
            for (long a : addresses) {
                String expected = CompiledJars.call(MODULE, chicory, export, a);
                assertEquals(expected, CompiledJars.call(MODULE, bound, export, a), export + "(" + a + ")");
                if (expected.startsWith("trap:")) traps++;
            }
        }
        assertTrue(traps > 20, "the addresses reach past both ends of the memory");
        assertEquals("[-30875]", CompiledJars.call(MODULE, bound, "rw16", 65_532)); // 0x8765 read back signed
        assertEquals("trap: out of bounds memory access", CompiledJars.call(MODULE, bound, "rw64", 65_521));
    }

    @Test
    void aMemoryGrownInTheSameFunctionIsSeen() {
        byte[] bound = ModuleCompiler.compile(MODULE, null, true).jar();
        assertEquals("[42]", CompiledJars.call(MODULE, bound, "grown", 65_536));
        assertEquals("[42]", CompiledJars.call(MODULE, bound, "grown", 131_068));
        assertEquals("trap: out of bounds memory access", CompiledJars.call(MODULE, bound, "grown", 131_069));
    }
}
