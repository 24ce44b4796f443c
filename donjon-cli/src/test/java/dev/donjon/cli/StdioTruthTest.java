package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon run} tells the guest what its stdin, stdout and stderr really are (issue 17, "stdio truth"): a pipe
 * or a file is not a terminal, so a program that checks {@code isatty} (a database shell fed a script) behaves as it
 * does natively. The guest (stdio_probe.c) prints, per fd, the WASI file type, wasi-libc's {@code isatty} and whether
 * it may seek, then copies stdin to stdout. Types: 0 unknown (a pipe or socket, as wasmtime says), 2 character
 * device, 4 regular file.
 */
@Timeout(120)
class StdioTruthTest {
    private static final Path PROBE =
            RunCommandTest.ROOT.resolve("donjon-wasi/src/test/resources/wasm/stdio_probe.wasm");

    @TempDir
    Path dir;

    @Test
    void pipedInputAndAFileAsOutputAreNoTerminal() throws Exception {
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(command()).redirectOutput(out.toFile()); // stdin, stderr: pipes
        Process p = pb.start();
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write("SELECT 1;\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err.join());
        assertEquals("""
                fd 0: type 0 isatty 0 seek 0
                fd 1: type 4 isatty 0 seek 0
                fd 2: type 0 isatty 0 seek 0
                """, err.join());
        assertEquals("SELECT 1;\n", Files.readString(out));
    }

    @Test
    void aFileAsInputDevNullAsErrorAndAPipeAsOutput() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sql"), "SELECT 2;\n");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb =
                new ProcessBuilder(command()).redirectInput(script.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals("""
                fd 0: type 4 isatty 0 seek 0
                fd 1: type 0 isatty 0 seek 0
                fd 2: type 4 isatty 0 seek 0
                """, Files.readString(err));
        assertEquals("SELECT 2;\n", out);
    }

    @Test
    void devNullIsACharacterDeviceButNoTerminal() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(new File("/dev/null"));
        Process p = pb.start();
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("""
                fd 0: type 2 isatty 0 seek 1
                fd 1: type 2 isatty 0 seek 1
                fd 2: type 0 isatty 0 seek 0
                """, err);
    }

    /** On a terminal (a pseudo-terminal from util-linux's script(1), part of every Debian system) it says so. */
    @Test
    void aTerminalIsATerminal() throws Exception {
        assertTrue(
                Files.isExecutable(Path.of("/usr/bin/script")),
                "script(1) from bsdutils is needed to give the guest a terminal");
        String cmd =
                command().stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", cmd + " report", "/dev/null")
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .start();
        String all = read(p.getInputStream()).replace("\r", "");
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertTrue(all.contains("""
                fd 0: type 2 isatty 1 seek 0
                fd 1: type 2 isatty 1 seek 0
                fd 2: type 2 isatty 1 seek 0
                """), all);
    }

    private static List<String> command() {
        List<String> cmd = RunCommandTest.javaDonjon();
        cmd.addAll(List.of(
                "run",
                "--backend",
                "nil",
                "--no-module-cache",
                PROBE.toAbsolutePath().toString()));
        return cmd;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
