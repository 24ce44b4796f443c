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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The benchmark programs (bench/programs: SQLite, Lua, PCRE2, Zstandard; bench/compute: the six kernels), on small
 * workloads, compute the same whether their large functions are split as Donjon runs them, split finely, or left
 * as Chicory makes them: every program folds all it computes into the checksum it prints.
 */
class SplitProgramsTest {
    private static final Path BENCH = Path.of(System.getProperty("donjon.bench", "../bench"));
    /** Much finer than the default: hundreds of methods per large function. */
    private static final LargeFunctionSplitter FINE = new LargeFunctionSplitter(200, 20);

    @TestFactory
    Stream<DynamicTest> programsComputeTheSameSplitOrNot() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        // program, arguments (iterations, size): a second's work or less each
        String[][] programs = {
            {"programs/sqlite.wasm", "1", "500"}, {"programs/lua.wasm", "1", "1"}, {"programs/pcre2.wasm", "1", "16"},
            {"programs/zstd.wasm", "1", "16"},
        };
        for (String[] p : programs) tests.add(test(p));
        try (Stream<Path> kernels = Files.list(BENCH.resolve("compute"))) {
            for (Path k : kernels.filter(f -> f.toString().endsWith(".wasm")).sorted().toList()) {
                tests.add(test(new String[] {"compute/" + k.getFileName(), "1", "1000"}));
            }
        }
        return tests.stream();
    }

    private static DynamicTest test(String[] program) {
        return DynamicTest.dynamicTest(program[0], () -> {
            byte[] wasm = Files.readAllBytes(BENCH.resolve(program[0]));
            List<String> args = List.of("main.wasm", program[1], program[2]);
            String whole = run(WasiProgram.loadSplitting(wasm, null), args);
            assertTrue(whole.contains("checksum "), program[0] + " printed no checksum: " + whole);
            assertEquals(whole, run(WasiProgram.load(wasm), args), program[0] + " split as by default");
            assertEquals(whole, run(WasiProgram.loadSplitting(wasm, FINE), args), program[0] + " split finely");
        });
    }

    /** Exit code and output, without the timings. */
    private static String run(WasiProgram program, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = program.run(WasiOptions.builder().args(args).env(List.of())
                .stdio(InputStream.nullInputStream(), out, err).build());
        String text = out.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("iter ") && !l.startsWith("first_ms") && !l.startsWith("steady_ms"))
                .collect(Collectors.joining("\n"));
        return "exit " + code + "\n" + text + "\nstderr: " + err.toString(StandardCharsets.UTF_8);
    }
}
