package dev.donjon.host.keep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.wasi.WasiLimits;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The module a Keep trains on (its start-up cache's training run, spare Keeps while they wait) is in the Keep's jar,
 * it is the one built from src/main/wasm/training.c, and it runs to completion: without it, or with a module that
 * traps, the training would skip part of what a deployment does and say so only on a discarded stderr.
 */
class TrainingModuleTest {
    @Test
    void trainingModuleIsPackedBesideKeepMainAndRuns() throws Exception {
        byte[] packed;
        try (InputStream in = KeepMain.class.getResourceAsStream("training.wasm")) {
            assertNotNull(in, "training.wasm beside KeepMain");
            packed = in.readAllBytes();
        }
        Path source =
                Path.of(System.getProperty("donjon.root", ".."), "donjon-keep", "src", "main", "wasm", "training.wasm");
        assertArrayEquals(Files.readAllBytes(source), packed);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new KeepRuntimeRunner()
                .run(
                        new WorkloadPackage(packed, Optional.empty(), Map.of()),
                        InputStream.nullInputStream(),
                        out,
                        ByteArrayOutputStream.nullOutputStream(),
                        WasiLimits.defaults());
        assertEquals(0, exit);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("training "), out.toString(StandardCharsets.UTF_8));
    }
}
