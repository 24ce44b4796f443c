package dev.donjon.wasi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** The prebuilt test modules (src/test/resources/wasm, see build.sh there), compiled once per JVM. */
final class TestModules {
    private static final ConcurrentHashMap<String, WasiProgram> CACHE = new ConcurrentHashMap<>();

    private TestModules() {}

    static WasiProgram program(String name) {
        return CACHE.computeIfAbsent(name, n -> WasiProgram.load(bytes(n)));
    }

    static byte[] bytes(String name) {
        try (InputStream in = TestModules.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) throw new IllegalStateException("missing test module " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path shared(String first, String... more) {
        return Path.of(System.getProperty("donjon.shared", "../../shared"), first)
                .resolve(String.join("/", more));
    }

    static byte[] sharedBytes(String first, String... more) throws IOException {
        return Files.readAllBytes(shared(first, more));
    }
}
