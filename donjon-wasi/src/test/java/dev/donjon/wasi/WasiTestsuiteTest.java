package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the official WASI preview 1 test suite (../shared/wasi-testsuite, C and Rust) as in its
 * doc/specification.md: argv/env exactly as given, a fresh copy of the test's root preopened as "/",
 * the exit code compared, and stdout/stderr compared exactly whenever the test's spec gives them.
 * The tests that preopen a directory run a second time ("walk/...") with paths resolved by the component walk that
 * hosts without openat2 use, so both ways of confining a guest behave the same. Every test runs once more ("split/...")
 * with the guest's functions split into methods as finely as the splitter can (dev.donjon.wasi.chicory.split), which
 * must not change what any of them does.
 */
class WasiTestsuiteTest {
    private static final Path SUITE =
            Path.of(System.getProperty("donjon.shared", "../../shared"), "wasi-testsuite", "tests");
    private static final List<String> SUITES = List.of("c", "rust");
    private static final Map<String, AtomicInteger[]> COUNTS = new LinkedHashMap<>();
    /** Every region over 24 bytes of bytecode becomes a method of its own. */
    private static final LargeFunctionSplitter FINE = new LargeFunctionSplitter(24, 1);

    @TestFactory
    Stream<DynamicTest> wasiTestsuite() throws IOException {
        assertTrue(Files.isDirectory(SUITE), "wasi-testsuite not found at " + SUITE.toAbsolutePath());
        Map<String, String> skips = new LinkedHashMap<>();
        Map<String, String> unpinned = new LinkedHashMap<>();
        readSkipList(skips, unpinned);
        List<DynamicTest> tests = new ArrayList<>();
        for (String suite : SUITES) {
            tests.addAll(cases(suite, "", skips, unpinned));
        }
        for (String suite : SUITES) {
            tests.addAll(cases(suite, "walk", skips, unpinned));
        }
        for (String suite : SUITES) {
            tests.addAll(cases(suite, "split", skips, unpinned));
        }
        return tests.stream();
    }

    /**
     * The suite's cases; in {@code mode} "walk" only those that preopen a directory, with the walk forced; in "split"
     * all of them, split finely.
     */
    private static List<DynamicTest> cases(
            String suite, String mode, Map<String, String> skips, Map<String, String> unpinned) throws IOException {
        String resolver = mode.equals("walk") ? mode : "";
        List<DynamicTest> tests = new ArrayList<>();
        {
            AtomicInteger[] counts = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
            COUNTS.put(mode.isEmpty() ? suite : mode + "/" + suite, counts);
            Path dir = SUITE.resolve(suite).resolve("testsuite").resolve("wasm32-wasip1");
            List<Path> wasms;
            try (Stream<Path> s = Files.list(dir)) {
                wasms = s.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
            }
            for (Path wasm : wasms) {
                String id = suite + "/" + wasm.getFileName();
                String skip = skips.get(id);
                if (!resolver.isEmpty() && !preopens(wasm)) continue;
                tests.add(DynamicTest.dynamicTest(mode.isEmpty() ? id : mode + "/" + id, () -> {
                    if (skip != null) {
                        counts[2].incrementAndGet();
                        System.out.println("wasi-testsuite: SKIP " + id + ": " + skip);
                        return;
                    }
                    String old = resolver.isEmpty() ? null : System.setProperty("donjon.wasi.resolve", resolver);
                    try {
                        runCase(wasm, unpinned.containsKey(id), mode.equals("split"));
                        counts[0].incrementAndGet();
                    } catch (Throwable t) {
                        counts[1].incrementAndGet();
                        System.out.println("wasi-testsuite: FAIL " + (mode.isEmpty() ? "" : mode + "/") + id + ": "
                                + t.getMessage());
                        throw t;
                    } finally {
                        if (!resolver.isEmpty()) {
                            if (old == null) System.clearProperty("donjon.wasi.resolve");
                            else System.setProperty("donjon.wasi.resolve", old);
                        }
                    }
                }));
            }
        }
        return tests;
    }

    private static boolean preopens(Path wasm) throws IOException {
        Path spec = wasm.resolveSibling(wasm.getFileName().toString().replaceFirst("\\.wasm$", ".json"));
        return Files.exists(spec) && new ObjectMapper().readTree(spec.toFile()).hasNonNull("root");
    }

    @AfterAll
    static void summary() {
        int p = 0, f = 0, k = 0;
        for (var e : COUNTS.entrySet()) {
            AtomicInteger[] c = e.getValue();
            System.out.printf(
                    "wasi-testsuite %s: %d passed, %d failed, %d skipped%n",
                    e.getKey(), c[0].get(), c[1].get(), c[2].get());
            if (e.getKey().contains("/")) continue; // the runs with the walk or split are not more conformance
            p += c[0].get();
            f += c[1].get();
            k += c[2].get();
        }
        System.out.printf("wasi-testsuite: %d passed, %d failed, %d skipped%n", p, f, k);
    }

    private static void readSkipList(Map<String, String> skips, Map<String, String> unpinned) throws IOException {
        try (InputStream in = WasiTestsuiteTest.class.getResourceAsStream("/wasi-testsuite-skips.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] parts = line.split("\\s+", 3);
                if (parts.length < 3 || parts[2].isBlank())
                    throw new IllegalStateException("entry without a reason: " + line);
                switch (parts[0]) {
                    case "skip" -> skips.put(parts[1], parts[2]);
                    case "output-unpinned" -> unpinned.put(parts[1], parts[2]);
                    default -> throw new IllegalStateException("unknown directive: " + line);
                }
            }
        }
    }

    private static void runCase(Path wasm, boolean unpinned, boolean split) throws Exception {
        String base = wasm.getFileName().toString().replaceFirst("\\.wasm$", "");
        Path specFile = wasm.resolveSibling(base + ".json");
        JsonNode spec = Files.exists(specFile)
                ? new ObjectMapper().readTree(specFile.toFile())
                : new ObjectMapper().createObjectNode();
        List<String> args = new ArrayList<>();
        args.add(base + ".wasm");
        spec.path("args").forEach(a -> args.add(a.asText()));
        List<String> env = new ArrayList<>();
        spec.path("env")
                .properties()
                .forEach(e -> env.add(e.getKey() + "=" + e.getValue().asText()));
        int exitCode = spec.path("exit_code").asInt(0);
        // A missing stdout/stderr means "must be empty" (doc/specification.md), except for the tests listed
        // as output-unpinned in the skip file, which print diagnostics their specs do not give.
        String stdout = unpinned ? null : spec.path("stdout").asText("");
        String stderr = unpinned ? null : spec.path("stderr").asText("");

        Path tmp = Files.createTempDirectory("wasi-testsuite-");
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            WasiOptions.Builder options = WasiOptions.builder()
                    .args(args)
                    .env(env)
                    .stdio(InputStream.nullInputStream(), out, err)
                    .limits(WasiLimits.defaults().withMaxWallTime(Duration.ofSeconds(60)));
            if (spec.hasNonNull("root")) {
                Path root = tmp.resolve("root");
                copyTree(wasm.resolveSibling(spec.get("root").asText()), root);
                options.preopen(root, "/");
            }
            int code;
            try {
                byte[] bytes = Files.readAllBytes(wasm);
                code = (split ? WasiProgram.loadSplitting(bytes, FINE) : WasiProgram.load(bytes)).run(options.build());
            } catch (GuestFailedException e) {
                throw new AssertionError(
                        e.getMessage() + "; guest stderr: "
                                + err.toString(StandardCharsets.UTF_8).strip(),
                        e);
            }
            String gotOut = out.toString(StandardCharsets.UTF_8);
            String gotErr = err.toString(StandardCharsets.UTF_8);
            String got = "exit " + code + "\nstdout: " + (stdout == null ? "(not checked)" : gotOut) + "\nstderr: "
                    + (stderr == null ? "(not checked)" : gotErr);
            String want = "exit " + exitCode + "\nstdout: " + (stdout == null ? "(not checked)" : stdout) + "\nstderr: "
                    + (stderr == null ? "(not checked)" : stderr);
            if (code != exitCode) got += "\n(guest stderr: " + gotErr.strip() + ")";
            assertEquals(want, got);
        } finally {
            deleteTree(tmp);
        }
    }

    /** A writable copy of the test's root, without the *.cleanup artifacts of earlier runs. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().endsWith(".cleanup")) continue;
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
                if (!Files.isSymbolicLink(target)) target.toFile().setWritable(true, true);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }
}
