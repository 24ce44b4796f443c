package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README conventions that {@link ReadmeBlocksIT} relies on, checked fast (no block is run here): every README of
 * the clone follows them, and the parser tells runnable, server and skipped blocks apart and lines them up.
 */
class ReadmeBlocksTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void everyReadmeFollowsTheConventions() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path readme : ReadmeBlocksIT.readmes(ROOT)) {
            for (String p : ReadmeBlocks.parse(readme).problems()) problems.add(ROOT.relativize(readme) + ": " + p);
        }
        assertEquals(List.of(), problems);
        assertTrue(
                ReadmeBlocks.parse(ROOT.resolve("README.md")).runsAnything(),
                "the repository README has blocks to run");
    }

    @Test
    void tellsBlocksApartAndKeepsTheirLines() throws Exception {
        Path readme = Files.writeString(dir.resolve("README.md"), """
                # Title

                ```sh
                ./donjon run examples/hello/hello.wasm
                ./mvnw verify
                ```

                ```sh
                # in another terminal: a server
                ./donjon host serve --listen 127.0.0.1:8700
                ```

                ```sh
                # in another terminal (listens on 127.0.0.1:10010): the echo example
                ./donjon run --wasmcfgfile examples/echo/Enarx.toml examples/echo/echo.wasm
                ```

                ```sh
                # not run by the README test: needs SEV-SNP hardware
                ./donjon run --backend snp x.wasm
                ```

                ```text
                donjon drawbridge serve --store DIR [--listen ADDR:PORT]
                ```

                ```
                Hello, world!
                ```
                """);
        ReadmeBlocks r = ReadmeBlocks.parse(readme);
        assertEquals(List.of(), r.problems());
        assertEquals(
                List.of(
                        new ReadmeBlocks.Run(3, 4, List.of("./donjon run examples/hello/hello.wasm", ":")),
                        new ReadmeBlocks.Skipped(5, "./mvnw verify", "this test runs inside ./mvnw verify"),
                        new ReadmeBlocks.Server(
                                8,
                                9,
                                List.of(
                                        "# in another terminal: a server",
                                        "./donjon host serve --listen 127.0.0.1:8700"),
                                List.of("127.0.0.1:8700")),
                        new ReadmeBlocks.Server(
                                13,
                                14,
                                List.of(
                                        "# in another terminal (listens on 127.0.0.1:10010): the echo example",
                                        "./donjon run --wasmcfgfile examples/echo/Enarx.toml examples/echo/echo.wasm"),
                                List.of("127.0.0.1:10010")),
                        new ReadmeBlocks.Skipped(18, "block", "needs SEV-SNP hardware")),
                r.blocks().stream()
                        .sorted(java.util.Comparator.comparingInt(ReadmeBlocks.Block::line))
                        .toList());

        // the script puts each line at its README line number, so that traces and failures name README lines
        List<String> script = ReadmeSession.script(r, "README.md", dir).lines().toList();
        assertEquals("__block 3", script.get(2), "each block's fence line marks its start (timing, watchdog)");
        assertEquals("./donjon run examples/hello/hello.wasm", script.get(3));
        assertEquals(":", script.get(4));
        assertEquals("__block 8; (", script.get(7));
        assertEquals("./donjon host serve --listen 127.0.0.1:8700", script.get(9));
        assertTrue(
                script.get(10).startsWith(") >") && script.get(10).endsWith("& __ready 8 $! '127.0.0.1:8700'"),
                script.get(10));
        assertTrue(
                script.stream().noneMatch(l -> l.contains("--backend snp")), "the skipped block is not in the script");
    }

    /** Each block's time is measured, and a block that hangs stops its README at once, named (not at the README's guard). */
    @Test
    void blocksAreTimedAndAHungBlockStopsTheReadmeNamingIt() throws Exception {
        Path readme = Files.writeString(dir.resolve("README.md"), """
                # Title

                ```sh
                sleep 0.3
                ```

                ```sh
                echo fine
                ```
                """);
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("examples"));
        ReadmeSession.Result ok = ReadmeSession.run(
                ReadmeBlocks.parse(readme),
                "README.md",
                repo,
                dir,
                Files.createDirectories(dir.resolve("ok")),
                Duration.ofMinutes(2),
                Duration.ofMinutes(1));
        assertTrue(ok.passed(), ok.log());
        assertEquals(
                List.of(3, 7),
                ok.times().stream().map(ReadmeSession.BlockTime::line).toList());
        assertTrue(ok.times().getFirst().millis() >= 300, ok.times().toString());
        assertEquals(3, ok.slowest(1).getFirst().line());

        Files.writeString(readme, Files.readString(readme).replace("sleep 0.3", "sleep 600"));
        ReadmeSession.Result hung = ReadmeSession.run(
                ReadmeBlocks.parse(readme),
                "README.md",
                repo,
                dir,
                Files.createDirectories(dir.resolve("hung")),
                Duration.ofMinutes(5),
                Duration.ofSeconds(2));
        // finished: the block's guard stopped it, not the README's (5 min)
        assertTrue(hung.finished() && !hung.passed(), hung.log());
        assertTrue(
                hung.log()
                        .contains(
                                "readme-test: README.md:3: the block fenced here still runs after 2 s: stopping the README"),
                hung.log());

        // a failure is shown as the failing block's own lines, nested traces left out
        Files.writeString(
                readme,
                Files.readString(readme)
                        .replace("sleep 600", "sleep 0.1")
                        .replace("echo fine", "x=$(echo nested)\necho \"about to fail\"\nfalse"));
        ReadmeSession.Result failed = ReadmeSession.run(
                ReadmeBlocks.parse(readme),
                "README.md",
                repo,
                dir,
                Files.createDirectories(dir.resolve("failed")),
                Duration.ofMinutes(2),
                Duration.ofMinutes(1));
        assertTrue(failed.finished() && !failed.passed(), failed.log());
        String block = ReadmeSession.lastBlock(failed.log(), 80);
        assertTrue(
                block.startsWith("+ README.md:7 ")
                        && block.contains("about to fail")
                        && block.contains("readme-test: README.md:10: exit status 1: false"),
                block);
        assertTrue(block.lines().noneMatch(l -> l.startsWith("++") || l.contains("sleep 0.1")), block);
    }

    @Test
    void commandsOutsideShellBlocksAndServersWithoutAnAddressAreProblems() throws Exception {
        Path readme = Files.writeString(dir.resolve("README.md"), """
                # Title

                ```
                ./donjon run examples/hello/hello.wasm
                ```

                Indented:

                    donjon steward serve --policy p.toml

                ```sh
                # in another terminal: a server that does not say where it listens
                ./donjon steward serve --policy p.toml
                ```
                """);
        List<String> problems = ReadmeBlocks.parse(readme).problems();
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("line 3: a fenced block of commands without a label"), problems.get(0));
        assertTrue(problems.get(1).startsWith("line 9: an indented block of commands"), problems.get(1));
        assertTrue(
                problems.get(2).startsWith("line 11: a block run in another terminal must say where it listens"),
                problems.get(2));
    }
}
