package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.agent.HostAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon deploy} against an in-process host agent on loopback (nil backend). */
class DeployCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();
    private static HostAgent agent;

    @BeforeAll
    static void start() throws Exception {
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    /** One CLI run with its output captured (the registry tests' helper). */
    static RegistryCommandsTest.Run run(String... args) {
        return RegistryCommandsTest.run(args);
    }

    @Test
    void deploysAWasmFileWithALoudWarningAndTheGuestsExitCode(@TempDir Path dir) throws Exception {
        Files.copy(ROOT.resolve("donjon-keep/src/test/resources/wasm/show_env.wasm"), dir.resolve("main.wasm"));
        Files.writeString(dir.resolve("Enarx.toml"), "env = { EXIT_CODE = \"9\" }\n");
        Files.createDirectory(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/DB_PASSWORD"), "pw-42");
        var r = run("deploy", "--host", agent.baseUri().toString(), "--allow-insecure-backend", dir.toString());
        assertEquals(9, r.code(), r.err());
        assertTrue(r.out().contains("env=DB_PASSWORD=pw-42\n"), r.out());
        assertTrue(r.err().contains("!! WARNING: INSECURE: this Keep runs on the nil backend"), r.err());
    }

    @Test
    void deploysToASimKeepAndRefusesAWrongMeasurement(@TempDir Path simDir) throws Exception {
        var launcher = dev.donjon.host.agent.KeepLauncher.sameJvm()
                .withEnvironment(java.util.Map.of("DONJON_SIM_DIR", simDir.toString()));
        try (HostAgent sim = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                        .withLauncher(launcher))) {
            String chain = simDir.resolve("sim-chain.pem").toString();
            String hello = ROOT.resolve("examples/hello/hello.wasm").toString();
            var ok = run(
                    "deploy",
                    "--host",
                    sim.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--sim-chain",
                    chain,
                    hello);
            assertEquals(0, ok.code(), ok.err());
            assertEquals("Hello, world!\n", ok.out());
            assertTrue(
                    ok.err().contains("!! WARNING: INSECURE: this Keep runs on the sim backend")
                            && ok.err().contains("snp (SIMULATED) evidence verified"),
                    ok.err());

            var wrong = run(
                    "deploy",
                    "--host",
                    sim.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--sim-chain",
                    chain,
                    "--expect-measurement",
                    "00".repeat(48),
                    hello);
            assertEquals(1, wrong.code());
            assertTrue(
                    wrong.err().contains("is not the expected " + "00".repeat(48))
                            && wrong.err().contains("nothing was sent"),
                    wrong.err());
            assertEquals("", wrong.out());

            var strict = run("deploy", "--host", sim.baseUri().toString(), hello);
            assertEquals(1, strict.code());
            assertTrue(strict.err().contains("sim backend (a simulated TEE"), strict.err());
        }
    }

    @Test
    void theStewardsPolicyFileWithItsSimChainServesDeployToo(@TempDir Path simDir, @TempDir Path dir) throws Exception {
        var launcher = dev.donjon.host.agent.KeepLauncher.sameJvm()
                .withEnvironment(java.util.Map.of("DONJON_SIM_DIR", simDir.toString()));
        Files.write(
                dir.resolve("sim-chain.pem"),
                dev.donjon.platform.sim.SimAuthority.loadOrCreate(simDir, java.time.Clock.systemUTC())
                        .chainPem());
        String measurement =
                java.util.HexFormat.of().formatHex(dev.donjon.platform.sim.RuntimeMeasurement.ofThisProcess());
        // the Steward's policy as `steward init --sim` writes it: [sim] with the Steward's own key, chain
        Path policy = Files.writeString(
                dir.resolve("policy.toml"), "[sim]\nchain = \"sim-chain.pem\"\nhash = [\"" + measurement + "\"]\n");
        Path other = Files.writeString(
                dir.resolve("other.toml"), "[sim]\nchain = \"sim-chain.pem\"\nhash = [\"" + "ab".repeat(48) + "\"]\n");
        try (HostAgent sim = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                        .withLauncher(launcher))) {
            String hello = ROOT.resolve("examples/hello").toString();
            var ok = run(
                    "deploy",
                    "--host",
                    sim.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--policy",
                    policy.toString(),
                    hello);
            assertEquals(0, ok.code(), ok.err());
            assertEquals("Hello, world!\n", ok.out());

            var refused = run(
                    "deploy",
                    "--host",
                    sim.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--policy",
                    other.toString(),
                    hello);
            assertEquals(1, refused.code(), refused.err());
            assertTrue(refused.err().contains("nothing was sent"), refused.err());
            assertEquals("", refused.out());
        }
    }

    @Test
    void deploysBySlugAndByFileUrlTheKeepFetchingThePackageItself(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, RegistryCommandsTest.TOKEN + " dev-subject manage\n");
        Path hello = ROOT.resolve("examples/hello/hello.wasm");
        try (var server = dev.donjon.drawbridge.RegistryServer.start(new dev.donjon.drawbridge.RegistryServer.Config(
                new dev.donjon.drawbridge.RegistryStore(dir.resolve("store"), 1 << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                java.util.Optional.empty(),
                false,
                new dev.donjon.server.Authenticator(
                        java.util.Optional.of(dev.donjon.server.TokenFile.load(tokens)),
                        java.util.Optional.empty(),
                        false)))) {
            String reg = server.baseUri().toString();
            String token = RegistryCommandsTest.TOKEN;
            assertEquals(
                    0,
                    run("user", "register", "dev", "--subject", "dev-subject", "--registry", reg, "--token", token)
                            .code());
            assertEquals(
                    0,
                    run("repo", "register", "dev/hello", "--public", "--registry", reg, "--token", token)
                            .code());
            assertEquals(
                    0,
                    run("package", "publish", "dev/hello:0.1.0", hello.toString(), "--registry", reg, "--token", token)
                            .code());

            var bySlug = run(
                    "deploy",
                    "--host",
                    agent.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--registry",
                    reg,
                    "dev/hello:0.1.0");
            assertEquals(0, bySlug.code(), bySlug.err());
            assertEquals("Hello, world!\n", bySlug.out());

            var missing = run(
                    "deploy",
                    "--host",
                    agent.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--registry",
                    reg,
                    "dev/hello:0.2.0");
            assertEquals(1, missing.code());
            String last = missing.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(
                    last.startsWith("donjon: the workload failed in Keep")
                            && last.contains("cannot fetch package")
                            && last.contains("tag 0.2.0 not found"),
                    missing.err());
            assertEquals("", missing.out());

            String sha = dev.donjon.host.protocol.PackageReference.sha256Hex(Files.readAllBytes(hello));
            var byFile = run(
                    "deploy",
                    "--host",
                    agent.baseUri().toString(),
                    "--allow-insecure-backend",
                    "--expect-wasm-sha256",
                    sha,
                    hello.toUri().toString());
            assertEquals(0, byFile.code(), byFile.err());
            assertEquals("Hello, world!\n", byFile.out());
        }
    }

    /** deploy is a drop-in for run: the same default limits (a guest that runs under run runs when deployed). */
    /** deploy as a drop-in for run: the same piped stdin and guest arguments give the same output. */
    @Test
    void pipedStdinAndGuestArgumentsReachTheGuestAsWithRun(@TempDir Path dir) throws Exception {
        String text = "line one\nline two\n".repeat(5000);
        Path input = Files.writeString(dir.resolve("in.txt"), text);
        String copy = ROOT.resolve("donjon-keep/src/test/resources/wasm/copy_stdin.wasm")
                .toString();
        String host = agent.baseUri().toString();
        var viaRun = piped(input, "run", "--backend", "nil", "--no-module-cache", copy);
        var viaDeploy = piped(input, "deploy", "--host", host, "--allow-insecure-backend", copy);
        assertEquals(0, viaRun.exit(), viaRun.err());
        assertEquals(0, viaDeploy.exit(), viaDeploy.err());
        assertEquals(text, viaDeploy.out());
        assertTrue(
                viaRun.err().contains("eof after " + text.length() + " bytes")
                        && viaDeploy.err().contains("eof after " + text.length() + " bytes"),
                viaDeploy.err());
        // everything after the package is the guest's, options included, as with run
        for (String[] tail : new String[][] {{"-x", "a b"}, {"--", "-x", "a b"}}) {
            var args = piped(
                    Path.of("/dev/null"),
                    concat(
                            new String[] {"deploy", "--host", host, "--allow-insecure-backend", RunCommandTest.showEnv()
                            },
                            tail));
            assertEquals(0, args.exit(), args.err());
            assertEquals("argv[0]=main.wasm\nargv[1]=-x\nargv[2]=a b\n", args.out());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code donjon ARGS < input} in a new JVM, as a shell pipes a file to it. */
    private static RunCommandTest.Result piped(Path input, String... args) throws Exception {
        java.util.List<String> cmd = RunCommandTest.javaDonjon();
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(input.toFile()).start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        return new RunCommandTest.Result(p.exitValue(), out, err.join());
    }

    @Test
    void defaultLimitsAreRuns() {
        var run = new picocli.CommandLine(new RunCommand()).getCommandSpec();
        var deploy = new picocli.CommandLine(new DeployCommand()).getCommandSpec();
        for (String limit : java.util.List.of("--max-memory", "--max-time", "--max-cpu-time")) {
            assertEquals(
                    run.findOption(limit).defaultValue(),
                    deploy.findOption(limit).defaultValue(),
                    limit);
        }
    }

    @Test
    void refusesAnInsecureKeepWithoutTheFlag() {
        var r = run(
                "deploy",
                "--host",
                agent.baseUri().toString(),
                ROOT.resolve("examples/hello/hello.wasm").toString());
        assertEquals(1, r.code());
        assertTrue(
                r.err().contains("donjon: refusing to deploy to Keep")
                        && r.err().contains("--allow-insecure-backend"),
                r.err());
        assertFalse(r.out().contains("Hello"), r.out());
    }

    @Test
    void badInputIsOneLine() {
        var missing = run("deploy", "--host", agent.baseUri().toString(), "/nonexistent/pkg.wasm");
        assertEquals(1, missing.code());
        assertEquals(
                "donjon: /nonexistent/pkg.wasm: no such file or directory",
                missing.err().strip());
        var both = run("deploy", "--host", "http://x", "--policy", "p.toml", "--expect-measurement", "00", "a.wasm");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        var hex = run("deploy", "--host", "http://x", "--expect-measurement", "zz", "a.wasm");
        assertEquals(2, hex.code());
        assertEquals("donjon: --expect-measurement is not hex", hex.err().strip());
        var plainSteward = run(
                "deploy", "--host", "http://x", "--registry", "http://r", "--steward", "http://s", "alice/hello:1.0.0");
        assertEquals(2, plainSteward.code());
        assertEquals(
                "donjon: --steward must be an https:// URL", plainSteward.err().strip());
        var localSteward = run("deploy", "--host", "http://x", "--steward", "https://s", "a.wasm");
        assertEquals(2, localSteward.code());
        assertTrue(localSteward.err().contains("apply to a registry PACKAGE only"), localSteward.err());
        var noBackend = run("host", "serve", "--listen", "127.0.0.1:0");
        assertEquals(2, noBackend.code());
        assertTrue(noBackend.err().contains("--backend"), noBackend.err());
    }

    @Test
    void anUnreachableAgentIsOneLine() {
        var r = run(
                "deploy",
                "--host",
                "http://127.0.0.1:1",
                "--allow-insecure-backend",
                ROOT.resolve("examples/hello/hello.wasm").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("donjon: ") && r.err().strip().lines().count() == 1, r.err());
        assertTrue(
                r.err().contains("cannot connect to the host agent at http://127.0.0.1:1/: connection refused"),
                r.err());
        assertFalse(r.err().contains("Exception"), "words, not class names: " + r.err());
    }
}
