package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Donjon's images as an operator runs them, with podman on the host's network: the Drawbridge, Steward and agent
 * containers, and the CLI container that publishes ROT13 to the registry (a private repository), deploys it through
 * the agent to a sim Keep that first enrolls with the Steward (whose certificate is the only way to read the private
 * repository), and then uses it over TCP; a guest's stdin streamed by {@code donjon deploy} through the agent
 * container. Also what the images are: non-root, no shell, labelled. Run with -Pcontainers (.ci/containers.sh).
 */
class ImagesContainerIT {

    @BeforeAll
    static void images() throws Exception {
        Images.build();
    }

    @Test
    void theImagesRunAsTheirOwnUserWithNoShellAndSayWhatTheyAre(@TempDir Path dir) throws Exception {
        Podman podman = new Podman(dir);
        for (String name : List.of("cli", "steward", "drawbridge", "agent")) {
            String image = Images.image(name);
            String inspect = podman.run(
                            "image",
                            "inspect",
                            "--format",
                            "{{.Config.User}}|{{index .Config.Labels \"org.opencontainers.image.version\"}}|{{index .Config.Labels \"org.opencontainers.image.revision\"}}|{{json .Config.Entrypoint}}",
                            image)
                    .ok("inspect " + image)
                    .out()
                    .strip();
            String[] f = inspect.split("\\|");
            assertEquals("10001:10001", f[0], image);
            assertTrue(f[1].matches("\\d+\\.\\d+\\.\\d+.*"), image + " version label: " + f[1]);
            assertTrue(f[2].matches("[0-9a-f]{40}(-dirty)?"), image + " revision label: " + f[2]);
            assertTrue(f[3].startsWith("[\"/opt/java/bin/java\""), image + " entry point needs no shell: " + f[3]);
            for (String shell : List.of("/bin/sh", "/bin/bash", "/usr/bin/perl")) {
                Podman.Result r =
                        podman.run("run", "--rm", "--network", "host", "--entrypoint", shell, image, "-c", "true");
                assertNotEquals(0, r.exit(), image + " has " + shell);
                assertTrue(r.err().contains("no such file"), r.err());
            }
        }
        assertTrue(podman.run("run", "--rm", "--network", "host", Images.image("cli"), "--version")
                .ok("donjon --version")
                .out()
                .startsWith("donjon "));
    }

    @Test
    void publishEnrollDeployAndUseRot13(@TempDir Path dir) throws Exception {
        OperatorKit kit = new OperatorKit(dir, List.of());
        int registry = OperatorKit.freePort(), registryAdmin = OperatorKit.freePort();
        int steward = OperatorKit.freePort(), stewardAdmin = OperatorKit.freePort();
        int agent = OperatorKit.freePort(), agentAdmin = OperatorKit.freePort();
        int rot13 = OperatorKit.freePort();
        kit.rot13Listens(rot13);
        kit.openToContainers();
        String id = Long.toHexString(System.nanoTime());
        try (Containers c = new Containers(new Podman(dir), kit)) {
            // the sim chain the agent's Keeps sign with, the Steward's policy names, and the client trusts (made once,
            // shared)
            c.cli("platform", "sim-chain", "--out", "/sim/sim-chain.pem").ok("platform sim-chain");
            kit.simPolicy(c.cli("platform", "info", "--backend", "sim")
                    .ok("platform info")
                    .out());

            service(
                    c,
                    "drawbridge-" + id,
                    "drawbridge",
                    "--store=/var/lib/donjon",
                    "--listen=127.0.0.1:" + registry,
                    "--admin-listen=127.0.0.1:" + registryAdmin,
                    "--tls-cert=/etc/donjon/drawbridge.pem",
                    "--tls-key=/etc/donjon/drawbridge.key",
                    "--client-ca=/etc/donjon/steward-ca.pem",
                    "--tokens=/etc/donjon/tokens");
            service(
                    c,
                    "steward-" + id,
                    "steward",
                    "--listen=127.0.0.1:" + steward,
                    "--admin-listen=127.0.0.1:" + stewardAdmin,
                    "--policy=/etc/donjon/policy.toml",
                    "--ca-cert=/etc/donjon/steward-ca.pem",
                    "--ca-key=/etc/donjon/steward-ca.key",
                    "--tls-cert=/etc/donjon/steward.pem",
                    "--tls-key=/etc/donjon/steward.key");
            service(
                    c,
                    "agent-" + id,
                    "agent",
                    "--backend=sim",
                    "--listen=127.0.0.1:" + agent,
                    "--admin-listen=127.0.0.1:" + agentAdmin,
                    "--tls-cert=/etc/donjon/agent.pem",
                    "--tls-key=/etc/donjon/agent.key",
                    "--tokens=/etc/donjon/agent-tokens");
            for (int admin : List.of(registryAdmin, stewardAdmin, agentAdmin))
                c.awaitOk(URI.create("http://127.0.0.1:" + admin + "/readyz"), Duration.ofMinutes(3));

            String reg = "https://127.0.0.1:" + registry;
            List<String> registryOptions = List.of(
                    "--registry", reg, "--ca-cert", "/etc/donjon/tls-ca.pem", "--token-file", "/etc/donjon/token");
            c.cli(concat(List.of("user", "register"), registryOptions, List.of("--subject", "alice", "alice")))
                    .ok("user register");
            c.cli(concat(List.of("repo", "register"), registryOptions, List.of("alice/rot13")))
                    .ok("repo register (private)");
            c.cli(concat(
                            List.of("package", "publish"),
                            registryOptions,
                            List.of("alice/rot13:1.0.0", "/etc/donjon/pkg")))
                    .ok("package publish");

            // the Keep enrolls with the Steward container, then reads the private repository with the certificate it
            // got
            String deployer = "deploy-" + id;
            c.started(deployer);
            List<String> toAgent = List.of(
                    "deploy",
                    "--host",
                    "https://127.0.0.1:" + agent,
                    "--agent-ca",
                    "/etc/donjon/tls-ca.pem",
                    "--agent-token-file",
                    "/etc/donjon/agent-token",
                    "--allow-insecure-backend",
                    "--sim-chain",
                    "/sim/sim-chain.pem");
            c.podman
                    .run(c.cliRun(
                            List.of("-d", "--name", deployer),
                            List.of(concat(
                                    toAgent,
                                    List.of(
                                            "--registry",
                                            reg,
                                            "--ca-cert",
                                            "/etc/donjon/tls-ca.pem",
                                            "--steward",
                                            "https://127.0.0.1:" + steward,
                                            "--steward-ca",
                                            "/etc/donjon/tls-ca.pem",
                                            "alice/rot13:1.0.0")))))
                    .ok("deploy (detached, no -i: its stdin is empty)");
            useRot13(c, rot13, deployer);
            String metrics = Containers.get(URI.create("http://127.0.0.1:" + stewardAdmin + "/metrics"));
            assertTrue(
                    metrics.lines()
                            .anyMatch(l -> l.startsWith("donjon_steward_verdicts_total{")
                                    && l.contains("verdict=\"issued\"")
                                    && l.contains("reason=\"sim\"")
                                    && !l.endsWith(" 0.0")),
                    "the Steward counted the Keep's enrollment:\n" + metrics);

            // a guest's stdin, streamed by `donjon deploy` through the agent container, sealed all the way to the Keep
            byte[] text = "stdin crosses the host sealed\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
            Podman.Result copied = c.podman
                    .run(
                            c.cliRun(
                                    List.of("--rm", "-i"),
                                    List.of(concat(toAgent, List.of("/etc/donjon/copy_stdin.wasm")))),
                            text,
                            300)
                    .ok("deploy with stdin");
            assertEquals(new String(text, StandardCharsets.UTF_8), copied.out());
            assertTrue(copied.err().contains("eof after " + text.length + " bytes"), copied.err());
        }
    }

    /** Talks ROT13 to the deployed workload on this host's {@code port}. */
    static void useRot13(Containers c, int port, String deployer) throws Exception {
        try (Socket s = c.connectWithin(port, Duration.ofMinutes(3), deployer)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write("Hello, Donjon!\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Hello, Donjon!", in.readLine());
            assertEquals("Uryyb, Qbawba!", in.readLine());
        }
    }

    private static void service(Containers c, String name, String image, String... args) throws Exception {
        c.started(name);
        List<String> cmd = new ArrayList<>(List.of(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "host",
                "--read-only",
                "--tmpfs",
                "/tmp",
                "-v",
                c.kit.dir + ":/etc/donjon:ro",
                "-v",
                c.kit.sim + ":/sim",
                "-e",
                "DONJON_SIM_DIR=/sim"));
        if (image.equals("drawbridge")) cmd.addAll(List.of("-v", c.kit.store + ":/var/lib/donjon"));
        cmd.add(Images.image(image));
        cmd.addAll(List.of(args));
        c.podman.run(cmd).ok("start " + name);
    }

    @SafeVarargs
    static String[] concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) all.addAll(p);
        return all.toArray(String[]::new);
    }
}
