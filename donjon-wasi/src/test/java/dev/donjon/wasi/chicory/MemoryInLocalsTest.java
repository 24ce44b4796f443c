package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Compiled code that keeps the memory's array and size in locals must see a memory grown by a call it made, and
 * must trap exactly where wasm says an access is out of bounds, as Chicory's own code does.
 */
class MemoryInLocalsTest {
    private static final WasmModule MODULE = Parser.parse(module());

    @Test
    void theCodeUnderTestKeepsMemoryInLocals() throws IOException {
        assertTrue(CompiledJars.references(compile(true), "dev/donjon/wasi/chicory/DirectMemoryAccess"));
        assertFalse(CompiledJars.references(compile(false), "dev/donjon/wasi/chicory/DirectMemoryAccess"));
    }

    /** probe(): loads (array and size now in locals), calls a function that grows memory, stores into the new page. */
    @Test
    void memoryGrownByACalleeIsSeenByTheCaller() {
        assertEquals("[42]", CompiledJars.call(MODULE, compile(false), "probe"));
        assertEquals("[42]", CompiledJars.call(MODULE, compile(true), "probe"));
    }

    /** load_at(a) = i32.load offset=8 from a; one page of 65,536 bytes. */
    @Test
    void boundsAreWasmBounds() {
        byte[] plain = compile(false);
        byte[] local = compile(true);
        for (long a : new long[] {0, 65_520, 65_524, 65_525, 65_528, 65_535, -1, -8, -9, Integer.MIN_VALUE}) {
            String expected = CompiledJars.call(MODULE, plain, "load_at", a);
            assertEquals(expected, CompiledJars.call(MODULE, local, "load_at", a), "load_at(" + a + ")");
        }
        assertEquals("[0]", CompiledJars.call(MODULE, local, "load_at", 65_524)); // the last whole int of the page
        for (long a : new long[] {65_525, -1, -8}) {
            // -8 + 8 wraps to address 0 in 32 bits: wasm's effective address is 2^32, out of bounds
            assertEquals(
                    "trap: out of bounds memory access",
                    CompiledJars.call(MODULE, local, "load_at", a),
                    "load_at(" + a + ")");
        }
    }

    /** The split parts of a function get the locals too (the splitter runs first). */
    @Test
    void splitPartsKeepMemoryInLocals() {
        byte[] split = ModuleCompiler.compile(MODULE, new LargeFunctionSplitter(8, 1), true)
                .jar();
        assertEquals("[42]", CompiledJars.call(MODULE, split, "probe"));
        assertEquals("trap: out of bounds memory access", CompiledJars.call(MODULE, split, "load_at", -8));
    }

    private static byte[] compile(boolean memoryInLocals) {
        return ModuleCompiler.compile(MODULE, null, memoryInLocals).jar();
    }

    /**
     * One page of memory (at most 4); grow() grows it by one page; probe() and load_at(i32) as above, each after a
     * short loop.
     */
    private static byte[] module() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(m, 1, new byte[] {2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f}); // () -> i32, (i32) -> i32
        section(m, 3, new byte[] {3, 0, 0, 1}); // grow, probe, load_at
        section(m, 5, new byte[] {1, 1, 1, 4}); // memory: 1 page, at most 4
        section(m, 7, new byte[] {2, 5, 'p', 'r', 'o', 'b', 'e', 0, 1, 7, 'l', 'o', 'a', 'd', '_', 'a', 't', 0, 2});
        byte[] grow = {0, 0x41, 1, 0x40, 0, 0x0b}; // i32.const 1; memory.grow; end
        byte[] probe = concat(
                new byte[] {1, 1, 0x7f}, // one i32 local (local 0)
                twice(0),
                new byte[] {
                    0x41,
                    0,
                    0x28,
                    2,
                    0,
                    0x1a, // i32.load from 0; drop
                    0x10,
                    0,
                    0x1a, // call grow; drop
                    0x41,
                    (byte) 0x80,
                    (byte) 0x80,
                    4,
                    0x41,
                    42,
                    0x36,
                    2,
                    0, // i32.store 42 at 65536
                    0x41,
                    (byte) 0x80,
                    (byte) 0x80,
                    4,
                    0x28,
                    2,
                    0, // i32.load from 65536
                    0x0b
                });
        byte[] loadAt = concat(
                new byte[] {1, 1, 0x7f}, // one i32 local (local 1)
                twice(1),
                new byte[] {0x20, 0, 0x28, 2, 8, 0x0b}); // local.get 0; i32.load offset=8; end
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.write(3);
        for (byte[] body : new byte[][] {grow, probe, loadAt}) {
            code.write(body.length);
            code.writeBytes(body);
        }
        section(m, 10, code.toByteArray());
        return m.toByteArray();
    }

    /**
     * A loop that runs twice, counting in local {@code i}: only functions with a loop keep memory in locals (the
     * loop jumps backwards, which is what {@link MemoryInLocals#loops} looks for).
     */
    private static byte[] twice(int i) {
        return new byte[] {
            0x03,
            0x40, // loop
            0x20,
            (byte) i,
            0x41,
            1,
            0x6a,
            0x22,
            (byte) i, // local.get i; i32.const 1; i32.add; local.tee i
            0x41,
            2,
            0x49,
            0x0d,
            0, // i32.const 2; i32.lt_u; br_if 0
            0x0b // end
        };
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        out.write(content.length); // every section here is under 128 bytes
        out.writeBytes(content);
    }
}
