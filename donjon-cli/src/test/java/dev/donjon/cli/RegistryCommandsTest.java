package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import dev.donjon.server.TokenFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry commands against a loopback registry (plain HTTP: the TLS paths are tested in donjon-drawbridge). */
class RegistryCommandsTest {
    static final Path EXAMPLE = Path.of(System.getProperty("donjon.shared", "../../shared"), "wasm", "wasm_example");
    static final String TOKEN = "cli-test-token-0123456789";

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    /**
     * One CLI run in this JVM, its output captured and its stdin empty: deploy uploads its stdin to the guest, and this
     * JVM's own stdin is the test runner's command channel.
     */
    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        java.io.InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        System.setIn(java.io.InputStream.nullInputStream());
        try {
            int code = Donjon.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    @Test
    void registerPublishInfoAndFetch() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, TOKEN + " dev-subject manage\n");
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1 << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(),
                false,
                new Authenticator(Optional.of(TokenFile.load(tokens)), Optional.empty(), false)))) {
            String reg = server.baseUri().toString();
            assertEquals(
                    0,
                    run("user", "register", "dev", "--subject", "dev-subject", "--registry", reg, "--token", TOKEN)
                            .code());
            assertEquals(
                    0,
                    run("repo", "register", "dev/hello", "--public", "--registry", reg, "--token", TOKEN)
                            .code());
            Run pub = run(
                    "package", "publish", "dev/hello:0.1.0", EXAMPLE.toString(), "--registry", reg, "--token", TOKEN);
            assertEquals(0, pub.code(), pub.err());
            Run info = run("package", "info", "dev/hello:0.1.0", "--registry", reg);
            assertEquals(0, info.code(), info.err());
            assertTrue(info.out().contains("main.wasm") && info.out().contains("Enarx.toml"), info.out());
            Run repo = run("repo", "info", "dev/hello", "--registry", reg);
            assertTrue(repo.out().contains("public: true") && repo.out().contains("0.1.0"), repo.out());

            Path out = dir.resolve("out");
            Run fetch = run("package", "fetch", "dev/hello:0.1.0", "-o", out.toString(), "--registry", reg);
            assertEquals(0, fetch.code(), fetch.err());
            assertArrayEquals(
                    Files.readAllBytes(EXAMPLE.resolve("Enarx.toml")), Files.readAllBytes(out.resolve("Enarx.toml")));

            var pkg = new PackageFetcher(null, Optional.empty(), Optional.empty(), Optional.of(server.baseUri()))
                    .fetch("dev/hello:0.1.0");
            assertArrayEquals(Files.readAllBytes(EXAMPLE.resolve("main.wasm")), pkg.wasm());

            // run takes what deploy takes: here a slug, fetched and checked, its Enarx.toml used
            Path hello = Path.of(System.getProperty("donjon.root", "..")).resolve("examples/hello");
            assertEquals(
                    0,
                    run("repo", "register", "dev/greeter", "--public", "--registry", reg, "--token", TOKEN)
                            .code());
            Run greeter = run(
                    "package", "publish", "dev/greeter:1.0.0", hello.toString(), "--registry", reg, "--token", TOKEN);
            assertEquals(0, greeter.code(), greeter.err());
            assertTrue(
                    greeter.out().contains("(Enarx.toml, main.wasm)")
                            && greeter.out().contains("left out: README.md, hello.c, hello.wasm"),
                    greeter.out());
            Run fromRegistry = run("run", "--backend", "nil", "--registry", reg, "dev/greeter:1.0.0");
            assertEquals(0, fromRegistry.code(), fromRegistry.err());
            assertEquals("Hello, world!\n", fromRegistry.out());
            Run missingTag = run("run", "--backend", "nil", "--registry", reg, "dev/greeter:9.0.0");
            assertEquals(1, missingTag.code());
            assertTrue(
                    missingTag.err().startsWith("donjon: cannot fetch dev/greeter:9.0.0: ")
                            && missingTag.err().contains("404"),
                    missingTag.err());

            // a publisher key from keygen signs a tag that fetch then checks; keygen never overwrites
            Path publisher = dir.resolve("publisher");
            Run keygen = run("package", "keygen", publisher.toString());
            assertEquals(0, keygen.code(), keygen.err());
            assertEquals(
                    "rw-------",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(dir.resolve("publisher.key"))));
            assertEquals(1, run("package", "keygen", publisher.toString()).code());
            assertEquals(
                    0,
                    run(
                                    "package",
                                    "publish",
                                    "dev/greeter:1.0.1",
                                    hello.toString(),
                                    "--sign-key",
                                    dir.resolve("publisher.key").toString(),
                                    "--registry",
                                    reg,
                                    "--token",
                                    TOKEN)
                            .code());
            Run verified = run(
                    "package",
                    "fetch",
                    "dev/greeter:1.0.1",
                    "-o",
                    dir.resolve("signed").toString(),
                    "--verify-key",
                    dir.resolve("publisher.pub").toString(),
                    "--registry",
                    reg);
            assertEquals(0, verified.code(), verified.err());
            assertTrue(verified.out().contains("tag signature verified"), verified.out());

            Run info2 = run("package", "info", "dev/greeter:1.0.0", "--registry", reg);
            assertTrue(
                    info2.out()
                            .lines()
                            .anyMatch(l -> l.strip().startsWith("main.wasm") && l.matches(".* sha256:[0-9a-f]{64}$")),
                    info2.out());

            Run bad = run(
                    "package", "publish", "dev/hello:latest", EXAMPLE.toString(), "--registry", reg, "--token", TOKEN);
            assertEquals(1, bad.code());
            assertEquals(1, bad.err().strip().lines().count(), bad.err());
            assertTrue(bad.err().contains("invalid tag 'latest'"), bad.err());

            Run noToken = run("repo", "register", "dev/other", "--registry", reg);
            assertEquals(1, noToken.code());
            assertTrue(noToken.err().contains("401"), noToken.err());
        }
    }

    @Test
    void serveRefusesInconsistentOptions() {
        Run r = run("drawbridge", "serve", "--store", dir.toString(), "--client-ca", "ca.pem");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--client-ca needs TLS"), r.err());
    }
}
