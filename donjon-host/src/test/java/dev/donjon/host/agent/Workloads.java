package dev.donjon.host.agent;

import dev.donjon.host.protocol.WorkloadPackage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The workloads the deploy tests send: the repository's examples and Keep test modules. */
final class Workloads {
    private Workloads() {}

    static Path root() {
        return Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();
    }

    static byte[] file(String relative) throws IOException {
        return Files.readAllBytes(root().resolve(relative));
    }

    static WorkloadPackage hello() throws IOException {
        return new WorkloadPackage(file("examples/hello/hello.wasm"), Optional.empty(), Map.of());
    }

    /** Reports on stderr what it is told its fds 0-2 are (WASI file type, isatty, seekable); see stdio_probe.c. */
    static WorkloadPackage stdioProbe() throws IOException {
        return new WorkloadPackage(
                file("donjon-wasi/src/test/resources/wasm/stdio_probe.wasm"), Optional.empty(), Map.of());
    }

    static WorkloadPackage rot13(int port) throws IOException {
        return new WorkloadPackage(file("examples/rot13/rot13.wasm"), Optional.of(listen("ROT13", port)), Map.of());
    }

    /** Prints its argv and environment (so a secret reaches its stdout) and exits with EXIT_CODE. */
    static WorkloadPackage showEnv(String toml, Map<String, String> secrets) throws IOException {
        Map<String, byte[]> s = new java.util.LinkedHashMap<>();
        secrets.forEach((k, v) -> s.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return new WorkloadPackage(
                file("donjon-keep/src/test/resources/wasm/show_env.wasm"),
                Optional.of(toml.getBytes(StandardCharsets.UTF_8)),
                s);
    }

    /** Copies its stdin to stdout; at end-of-file says "eof after N bytes" on stderr; a failed read exits 3. */
    static WorkloadPackage copyStdin() throws IOException {
        return new WorkloadPackage(
                file("donjon-keep/src/test/resources/wasm/copy_stdin.wasm"), Optional.empty(), Map.of());
    }

    /** An Enarx.toml: {@code head} (top-level keys), the standard streams as fds 0-2, then {@code moreFiles}. */
    static byte[] withStdio(String head, String moreFiles) {
        return (head + """
                [[files]]
                kind = "stdin"
                [[files]]
                kind = "stdout"
                [[files]]
                kind = "stderr"
                """ + moreFiles).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] listen(String name, int port) {
        return withStdio("", """
                [[files]]
                kind = "listen"
                prot = "tcp"
                name = "%s"
                addr = "127.0.0.1"
                port = %d
                """.formatted(name, port));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
