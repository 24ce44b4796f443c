package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon run} of a module without Enarx.toml or Donjon.toml loads none of the libraries it does not use: each
 * costs start-up (Jackson's mapper alone is about 430 classes; bench/README.md, Start-up). A guard on what is loaded,
 * not a timing.
 */
class RunStartupClassesTest {
    /**
     * Jackson's mappers, BouncyCastle, AWS-LC. (jackson-core's JacksonException alone is loaded: the verifier loads
     * it for the config readers' catch clauses; nothing of it runs.)
     */
    private static final List<String> UNUSED = List.of(
            "com.fasterxml.jackson.databind.", "com.fasterxml.jackson.dataformat.", "org.bouncycastle.", "com.amazon.");

    @Test
    void runningHelloLoadsNoJacksonBouncyCastleOrAwsLc(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.txt");
        List<String> cmd = RunCommandTest.javaDonjon();
        cmd.add(1, "-Xlog:class+load=info:file=" + log);
        cmd.addAll(List.of(
                "run",
                "--backend",
                "nil",
                "--no-module-cache",
                RunCommandTest.ROOT.resolve("examples/hello/hello.wasm").toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err.txt")));
        assertEquals("Hello, world!\n", Files.readString(dir.resolve("out.txt")));
        List<String> loaded = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceFirst("^.*\\[class,load\\] ", "").replaceFirst(" .*$", ""))
                .filter(name -> UNUSED.stream().anyMatch(name::startsWith))
                .toList();
        assertEquals(List.of(), loaded.stream().limit(5).toList(), loaded.size() + " classes of unused libraries");
    }
}
