package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.ByteArrayOutputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A function whose JVM code is over the 64 KiB a method may hold: Chicory alone runs it in its interpreter; split, it
 * is compiled, and computes the same.
 */
class OversizedFunctionsTest {
    @Test
    void oversizedFunctionIsCompiledAndComputesTheSame() {
        assertTrue(
                OversizedFunctions.available(),
                "this Chicory's compiler internals are not the ones OversizedFunctions uses");
        WasmModule module = Parser.parse(bigModule(220, 40));
        ModuleCompiler.Compiled whole = ModuleCompiler.compile(module, null);
        ModuleCompiler.Compiled split = ModuleCompiler.compile(module, LargeFunctionSplitter.DEFAULT);
        assertEquals(Set.of(0), whole.interpreted(), "the test function should be too large for one JVM method");
        assertEquals(Set.of(), split.interpreted());
        var outcome = split.outcomes().stream()
                .filter(o -> o.method().endsWith(".func_0"))
                .findFirst()
                .orElseThrow();
        assertTrue(outcome.bytes() > 65_535 && outcome.split(), outcome.toString());
        for (int x : new int[] {0, 1, 7, -3, 123_456}) {
            assertEquals(call(module, whole, x), call(module, split, x), "big(" + x + ")");
        }
    }

    private static long call(WasmModule module, ModuleCompiler.Compiled compiled, int x) {
        Instance instance = Instance.builder(module)
                .withMachineFactory(CompiledMachines.load(module, compiled.jar()))
                .build();
        return instance.export("big").apply(x)[0];
    }

    /**
     * {@code big(i32) -> i32}: {@code blocks} blocks of {@code steps} multiply-adds on a local, each block left early
     * when the local's low bits are zero.
     */
    private static byte[] bigModule(int blocks, int steps) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        leb(body, 1); // one run of locals
        leb(body, 1);
        body.write(0x7f); // i32
        for (int b = 0; b < blocks; b++) {
            body.writeBytes(new byte[] {0x02, 0x40}); // block
            for (int s = 0; s < steps; s++) {
                body.writeBytes(new byte[] {0x20, 1, 0x41}); // local.get 1, i32.const
                sleb(body, 31 + 2 * s + b);
                body.writeBytes(
                        new byte[] {0x6c, 0x20, 0, 0x6a, 0x21, 1}); // i32.mul, local.get 0, i32.add, local.set 1
                if (s == steps / 2) {
                    // local.get 1, i32.const 7, i32.and, i32.eqz, br_if 0
                    body.writeBytes(new byte[] {0x20, 1, 0x41, 7, 0x71, 0x45, 0x0d, 0});
                }
            }
            body.writeBytes(new byte[] {0x20, 1, 0x41, 3, 0x73, 0x21, 1, 0x0b}); // local ^= 3; end
        }
        body.writeBytes(new byte[] {0x20, 1, 0x0b}); // local.get 1; end
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(m, 1, new byte[] {1, 0x60, 1, 0x7f, 1, 0x7f}); // type: (i32) -> i32
        section(m, 3, new byte[] {1, 0}); // one function of type 0
        section(m, 7, new byte[] {1, 3, 'b', 'i', 'g', 0, 0}); // export "big" = function 0
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, 1);
        leb(code, body.size());
        code.writeBytes(body.toByteArray());
        section(m, 10, code.toByteArray());
        return m.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.writeBytes(content);
    }

    private static void leb(ByteArrayOutputStream out, long v) {
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    private static void sleb(ByteArrayOutputStream out, long v) {
        while (true) {
            int b = (int) (v & 0x7f);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) return;
        }
    }
}
