package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The compute kernels (bench/compute) compute the same as Chicory compiles them unsplit, split as Donjon runs them,
 * and split finely (hundreds of small methods): each folds all it computes into the checksum it prints. The large
 * programs of bench/programs are not run here: unsplit, their largest functions run in Chicory's interpreter for
 * minutes, and split finely they run for minutes too; {@code bench/programs.sh} checks every runtime's checksum against
 * the native build's, and the splitter is tested against the interpreter on functions built for it
 * ({@code LargeFunctionSplitterTest}) and on the WASI test suite split finely ({@code WasiTestsuiteTest}).
 */
class SplitProgramsTest {
    private static final Path BENCH = Path.of(System.getProperty("donjon.bench", "../bench"));
    /** Much finer than the default: hundreds of methods per large function. */
    private static final LargeFunctionSplitter FINE = new LargeFunctionSplitter(200, 20);

    @TestFactory
    Stream<DynamicTest> kernelsComputeTheSameSplitOrNot() throws IOException {
        // each kernel's size argument (see its harness_main default), small enough for well under a second's work
        Map<String, String> sizes = Map.of(
                "calls",
                "2",
                "fannkuch",
                "7",
                "hashtable",
                "10000",
                "json",
                "256",
                "matmul",
                "48",
                "nbody",
                "10000",
                "sha256",
                "1");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> kernels = Files.list(BENCH.resolve("compute"))) {
            for (Path k :
                    kernels.filter(f -> f.toString().endsWith(".wasm")).sorted().toList()) {
                String name = k.getFileName().toString().replace(".wasm", "");
                assertTrue(sizes.containsKey(name), "no test size for the kernel " + name);
                tests.add(test("compute/" + k.getFileName(), sizes.get(name)));
            }
        }
        assertEquals(
                sizes.keySet(),
                tests.stream()
                        .map(t -> t.getDisplayName().replace("compute/", "").replace(".wasm", ""))
                        .collect(Collectors.toSet()));
        return tests.stream();
    }

    private static DynamicTest test(String program, String size) {
        return DynamicTest.dynamicTest(program, () -> {
            byte[] wasm = Files.readAllBytes(BENCH.resolve(program));
            List<String> args = List.of("main.wasm", "1", size);
            String unsplit = run(WasiProgram.loadSplitting(wasm, null), args);
            assertTrue(unsplit.contains("checksum "), program + " printed no checksum: " + unsplit);
            assertEquals(unsplit, run(WasiProgram.load(wasm), args), program + " split as Donjon runs it");
            assertEquals(unsplit, run(WasiProgram.loadSplitting(wasm, FINE), args), program + " split finely");
        });
    }

    /** Exit code and output, without the timings. */
    private static String run(WasiProgram program, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = program.run(WasiOptions.builder()
                .args(args)
                .env(List.of())
                .stdio(InputStream.nullInputStream(), out, err)
                .build());
        String text = out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> !l.startsWith("iter ") && !l.startsWith("first_ms") && !l.startsWith("steady_ms"))
                .collect(Collectors.joining("\n"));
        return "exit " + code + "\n" + text + "\nstderr: " + err.toString(StandardCharsets.UTF_8);
    }
}
