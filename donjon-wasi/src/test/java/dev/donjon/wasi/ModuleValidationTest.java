package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad modules are refused with one-line errors; Enarx's Rust hello world runs. */
class ModuleValidationTest {

    private static String rejected(byte[] wasm) {
        ModuleRejectedException e = assertThrows(ModuleRejectedException.class, () -> WasiProgram.load(wasm));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void garbageBytesAreNotAModule() {
        assertEquals(
                "not a WebAssembly module (bad magic)",
                rejected("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("not a WebAssembly module (bad magic)", rejected(new byte[0]));
    }

    @Test
    void truncatedModuleIsMalformed() throws Exception {
        byte[] hello = TestModules.sharedBytes("wasm", "wasm_example", "main.wasm");
        byte[] cut = java.util.Arrays.copyOf(hello, hello.length / 2);
        String msg = rejected(cut);
        assertEquals(true, msg.startsWith("malformed WebAssembly module: "), msg);
    }

    @Test
    void moduleWithoutStartIsRefused() throws Exception {
        assertEquals(
                "module has no _start export (not a WASI command)",
                rejected(TestModules.sharedBytes("wasm", "fixtures", "no_export.wasm")));
    }

    @Test
    void nonWasiImportIsRefused() throws Exception {
        assertEquals(
                "unknown import env::puts", rejected(TestModules.sharedBytes("wasm", "fixtures", "hello_world.wasm")));
    }

    @Test
    void enarxRustHelloWorldRuns() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WasiProgram.load(TestModules.sharedBytes("wasm", "wasm_example", "main.wasm"))
                .run(WasiOptions.builder()
                        .args("main.wasm")
                        .stdio(InputStream.nullInputStream(), out, err)
                        .build());
        assertEquals(0, code);
        assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void compiledProgramRunsTwiceWithFreshState() throws Exception {
        WasiProgram program = WasiProgram.load(TestModules.sharedBytes("wasm", "wasm_example", "main.wasm"));
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(
                    0,
                    program.run(WasiOptions.builder()
                            .stdio(InputStream.nullInputStream(), out, OutputStreams.NULL)
                            .build()));
            assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    static final class OutputStreams {
        static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
    }
}
