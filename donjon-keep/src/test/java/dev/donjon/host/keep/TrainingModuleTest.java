package dev.donjon.host.keep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module a Keep trains on (its start-up cache's training run, spare Keeps while they wait) is in the Keep's jar,
 * and it is examples/hello's: without it the training would skip Chicory's compiler and say so only on a discarded
 * stderr.
 */
class TrainingModuleTest {
    @Test
    void examplesHelloIsPackedBesideKeepMain() throws Exception {
        try (InputStream in = KeepMain.class.getResourceAsStream("hello.wasm")) {
            assertNotNull(in, "hello.wasm beside KeepMain");
            Path source = Path.of(System.getProperty("donjon.root", ".."), "examples", "hello", "hello.wasm");
            assertArrayEquals(Files.readAllBytes(source), in.readAllBytes());
        }
    }
}
