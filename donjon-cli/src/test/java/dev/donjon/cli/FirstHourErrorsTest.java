package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user runs into in the first hour, each said in words on one line: missing files, a busy port, a package
 * name whose host speaks plain HTTP, an untrusted TLS certificate.
 */
class FirstHourErrorsTest {

    @TempDir
    Path dir;

    static RegistryCommandsTest.Run run(String... args) {
        return RegistryCommandsTest.run(args);
    }

    private static void oneLineInWords(RegistryCommandsTest.Run r) {
        assertEquals(
                1,
                r.err()
                        .strip()
                        .lines()
                        .filter(l -> l.startsWith("donjon: ") && !l.contains("WARNING"))
                        .count(),
                r.err());
        assertFalse(
                r.err().contains("Exception")
                        || r.err().contains("sun.security")
                        || r.err().contains("\tat "),
                r.err());
    }

    @Test
    void missingFilesAreSaidInWords() throws Exception {
        var token = run(
                "package",
                "publish",
                "--registry",
                "http://127.0.0.1:9",
                "--token-file",
                dir.resolve("T").toString(),
                "alice/rot13:1.0.0",
                "../examples/rot13");
        assertEquals(2, token.code());
        assertTrue(
                token.err().contains("--token-file " + dir.resolve("T") + ": no such file or directory"), token.err());
        oneLineInWords(token);

        var policy = run(
                "deploy",
                "--host",
                "http://127.0.0.1:9",
                "--policy",
                dir.resolve("p.toml").toString(),
                "../examples/hello");
        assertEquals(1, policy.code());
        assertTrue(
                policy.err().contains("cannot read policy " + dir.resolve("p.toml") + ": no such file"), policy.err());
        oneLineInWords(policy);

        var tokens = run(
                "drawbridge",
                "serve",
                "--store",
                dir.resolve("s").toString(),
                "--listen",
                "127.0.0.1:0",
                "--tokens",
                dir.resolve("tokens").toString());
        assertEquals(1, tokens.code());
        assertTrue(tokens.err().contains(dir.resolve("tokens") + ": no such file or directory"), tokens.err());
        oneLineInWords(tokens);

        Path nested = dir.resolve("sub/dir/E.toml");
        var init = run("config", "init", nested.toString());
        assertEquals(1, init.code());
        assertTrue(
                init.err()
                        .contains(
                                "cannot write " + nested + ": the directory " + nested.getParent() + " does not exist"),
                init.err());
        oneLineInWords(init);
    }

    @Test
    void aBusyPortIsNamed() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String listen = "127.0.0.1:" + busy.getLocalPort();
            Path policy =
                    Files.writeString(dir.resolve("policy.toml"), "[snp]\nhash = [\"" + "00".repeat(48) + "\"]\n");
            for (List<String> serve : List.of(
                    List.of(
                            "drawbridge",
                            "serve",
                            "--store",
                            dir.resolve("store").toString(),
                            "--listen",
                            listen),
                    List.of(
                            "steward",
                            "serve",
                            "--policy",
                            policy.toString(),
                            "--insecure-generated-ca",
                            "--crypto",
                            "java",
                            "--listen",
                            listen),
                    List.of(
                            "host",
                            "serve",
                            "--backend",
                            "nil",
                            "--spare-keeps",
                            "0",
                            "--insecure-plain-http",
                            "--listen",
                            listen))) {
                var r = run(serve.toArray(String[]::new));
                assertEquals(1, r.code(), serve + ": " + r.err());
                assertTrue(
                        r.err().contains("donjon: cannot listen on " + listen + ": the address is already in use"),
                        serve + ": " + r.err());
                oneLineInWords(r);
            }
        }
    }

    @Test
    void aHostInAPackageNameThatSpeaksPlainHttpFailsAtOnceWithAHint() throws Exception {
        try (RegistryServer plain = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1 << 20),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(),
                false,
                new Authenticator(Optional.empty(), Optional.empty(), false)))) {
            String hostPort = "127.0.0.1:" + plain.baseUri().getPort();
            long start = System.nanoTime();
            var r = run("package", "info", hostPort + "/alice/hello:1.0.0");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.code(), r.err());
            assertTrue(
                    r.err().contains(hostPort + " speaks plain HTTP, not HTTPS")
                            && r.err().contains("--registry http://" + hostPort)
                            && r.err().contains(": alice/hello:1.0.0"),
                    r.err());
            oneLineInWords(r);
            // the request itself would have waited out its 10 s connect timeout
            assertTrue(millis < 10_000, "answered after " + millis + " ms");
        }
    }

    @Test
    void anUntrustedRegistryCertificateIsSaidInWords() throws Exception {
        Path tls = dir.resolve("tls");
        assertEquals(0, run("steward", "init", tls.toString()).code());
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1 << 20),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.of(Tls.context(
                        Pem.privateKey(tls.resolve("tls.key")),
                        Pem.certificates(tls.resolve("tls.pem")),
                        Optional.empty())),
                false,
                new Authenticator(Optional.empty(), Optional.empty(), false)))) {
            var r = run("package", "info", "--registry", server.baseUri().toString(), "alice/hello:1.0.0");
            assertEquals(1, r.code(), r.err());
            assertTrue(
                    r.err().contains("its TLS certificate is not trusted")
                            && r.err().contains("--ca-cert"),
                    r.err());
            oneLineInWords(r);
            // with its certificate trusted, the registry answers (here: no such user)
            var trusted = run(
                    "package",
                    "info",
                    "--registry",
                    server.baseUri().toString(),
                    "--ca-cert",
                    tls.resolve("tls.pem").toString(),
                    "alice/hello:1.0.0");
            assertTrue(trusted.err().contains("(404)"), trusted.err());
        }
    }
}
