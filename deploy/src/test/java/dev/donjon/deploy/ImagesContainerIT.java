package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
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
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> containers = new ArrayList<>();
    private Podman podman;

    @BeforeAll
    static void images() throws Exception {
        assertTrue(Podman.installed(), "podman is missing: .ci/containers.sh installs it (apt-get install podman runc)");
        Images.build();
    }

    @AfterEach
    void removeContainers() {
        if (podman != null) podman.remove(containers.toArray(String[]::new));
    }

    @Test
    void theImagesRunAsTheirOwnUserWithNoShellAndSayWhatTheyAre(@TempDir Path dir) throws Exception {
        podman = new Podman(dir);
        for (String name : List.of("cli", "steward", "drawbridge", "agent")) {
            String image = Images.image(name);
            String inspect = podman.run("image", "inspect", "--format",
                    "{{.Config.User}}|{{index .Config.Labels \"org.opencontainers.image.version\"}}|{{index .Config.Labels \"org.opencontainers.image.revision\"}}|{{json .Config.Entrypoint}}",
                    image).ok("inspect " + image).out().strip();
            String[] f = inspect.split("\\|");
            assertEquals("10001:10001", f[0], image);
            assertTrue(f[1].matches("\\d+\\.\\d+\\.\\d+.*"), image + " version label: " + f[1]);
            assertTrue(f[2].matches("[0-9a-f]{40}(-dirty)?"), image + " revision label: " + f[2]);
            assertTrue(f[3].startsWith("[\"/opt/java/bin/java\""), image + " entry point needs no shell: " + f[3]);
            for (String shell : List.of("/bin/sh", "/bin/bash", "/usr/bin/perl")) {
                Podman.Result r = podman.run("run", "--rm", "--network", "host", "--entrypoint", shell, image, "-c", "true");
                assertNotEquals(0, r.exit(), image + " has " + shell);
                assertTrue(r.err().contains("no such file"), r.err());
            }
        }
        assertTrue(podman.run("run", "--rm", "--network", "host", Images.image("cli"), "--version").ok("donjon --version").out().startsWith("donjon "));
    }

    @Test
    void publishEnrollDeployAndUseRot13(@TempDir Path dir) throws Exception {
        podman = new Podman(dir);
        OperatorKit kit = new OperatorKit(dir, List.of());
        int registry = OperatorKit.freePort(), registryAdmin = OperatorKit.freePort();
        int steward = OperatorKit.freePort(), stewardAdmin = OperatorKit.freePort();
        int agent = OperatorKit.freePort(), agentAdmin = OperatorKit.freePort();
        int rot13 = OperatorKit.freePort();
        kit.rot13Listens(rot13);
        kit.openToContainers();
        String id = Long.toHexString(System.nanoTime());

        // the sim chain the agent's Keeps sign with, the Steward's policy names, and the client trusts (made once, shared)
        cli(kit, "platform", "sim-chain", "--out", "/sim/sim-chain.pem").ok("platform sim-chain");
        kit.simPolicy(cli(kit, "platform", "info", "--backend", "sim").ok("platform info").out());

        service(kit, "drawbridge-" + id, "drawbridge", "--store=/var/lib/donjon", "--listen=127.0.0.1:" + registry,
                "--admin-listen=127.0.0.1:" + registryAdmin, "--tls-cert=/etc/donjon/drawbridge.pem", "--tls-key=/etc/donjon/drawbridge.key",
                "--client-ca=/etc/donjon/steward-ca.pem", "--tokens=/etc/donjon/tokens");
        service(kit, "steward-" + id, "steward", "--listen=127.0.0.1:" + steward, "--admin-listen=127.0.0.1:" + stewardAdmin,
                "--policy=/etc/donjon/policy.toml", "--ca-cert=/etc/donjon/steward-ca.pem", "--ca-key=/etc/donjon/steward-ca.key",
                "--tls-cert=/etc/donjon/steward.pem", "--tls-key=/etc/donjon/steward.key");
        service(kit, "agent-" + id, "agent", "--backend=sim", "--listen=127.0.0.1:" + agent, "--admin-listen=127.0.0.1:" + agentAdmin,
                "--tls-cert=/etc/donjon/agent.pem", "--tls-key=/etc/donjon/agent.key", "--tokens=/etc/donjon/agent-tokens");
        for (int admin : List.of(registryAdmin, stewardAdmin, agentAdmin)) awaitReady(admin);

        String reg = "https://127.0.0.1:" + registry;
        cli(kit, "user", "register", "--registry", reg, "--ca-cert", "/etc/donjon/tls-ca.pem", "--token-file", "/etc/donjon/token",
                "--subject", "alice", "alice").ok("user register");
        cli(kit, "repo", "register", "--registry", reg, "--ca-cert", "/etc/donjon/tls-ca.pem", "--token-file", "/etc/donjon/token",
                "alice/rot13").ok("repo register (private)");
        cli(kit, "package", "publish", "--registry", reg, "--ca-cert", "/etc/donjon/tls-ca.pem", "--token-file", "/etc/donjon/token",
                "alice/rot13:1.0.0", "/etc/donjon/pkg").ok("package publish");

        // the Keep enrolls with the Steward container, then reads the private repository with the certificate it got
        String deployer = "deploy-" + id;
        containers.add(deployer);
        podman.run(cliRun(kit, List.of("-d", "--name", deployer), List.of("deploy", "--host", "https://127.0.0.1:" + agent,
                "--agent-ca", "/etc/donjon/tls-ca.pem", "--agent-token-file", "/etc/donjon/agent-token", "--allow-insecure-backend",
                "--sim-chain", "/sim/sim-chain.pem", "--registry", reg, "--ca-cert", "/etc/donjon/tls-ca.pem",
                "--steward", "https://127.0.0.1:" + steward, "--steward-ca", "/etc/donjon/tls-ca.pem", "--no-stdin",
                "alice/rot13:1.0.0"))).ok("deploy (detached)");
        try (Socket s = connectWithin(rot13, Duration.ofMinutes(3), deployer)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write("Hello, Donjon!\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Hello, Donjon!", in.readLine());
            assertEquals("Uryyb, Qbawba!", in.readLine());
        }
        String metrics = get(stewardAdmin, "/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("donjon_steward_verdicts_total{") && l.contains("verdict=\"issued\"")
                && l.contains("reason=\"sim\"") && !l.endsWith(" 0.0")), "the Steward counted the Keep's enrollment:\n" + metrics);

        // a guest's stdin, streamed by `donjon deploy` through the agent container, sealed all the way to the Keep
        byte[] text = "stdin crosses the host sealed\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
        Podman.Result filtered = podman.run(cliRun(kit, List.of("--rm", "-i"), List.of("deploy", "--host", "https://127.0.0.1:" + agent,
                "--agent-ca", "/etc/donjon/tls-ca.pem", "--agent-token-file", "/etc/donjon/agent-token", "--allow-insecure-backend",
                "--sim-chain", "/sim/sim-chain.pem", "/etc/donjon/stdin_rot13.wasm")), text, 300).ok("deploy with stdin");
        assertEquals("fgqva pebffrf gur ubfg frnyrq\n".repeat(2000), filtered.out());
        assertTrue(filtered.err().contains("stdin_rot13: " + text.length + " bytes"), filtered.err());
    }

    private void service(OperatorKit kit, String name, String image, String... args) throws Exception {
        containers.add(name);
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp",
                "-v", kit.dir + ":/etc/donjon:ro", "-v", kit.sim + ":/sim", "-e", "DONJON_SIM_DIR=/sim"));
        if (image.equals("drawbridge")) cmd.addAll(List.of("-v", kit.store + ":/var/lib/donjon"));
        cmd.add(Images.image(image));
        cmd.addAll(List.of(args));
        podman.run(cmd).ok("start " + name);
    }

    private Podman.Result cli(OperatorKit kit, String... args) throws Exception {
        return podman.run(cliRun(kit, List.of("--rm"), List.of(args)));
    }

    /** {@code podman run} of the CLI image as a user runs it: host network, read-only, the kit mounted. */
    private static List<String> cliRun(OperatorKit kit, List<String> options, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--network", "host", "--read-only", "--tmpfs", "/tmp",
                "-v", kit.dir + ":/etc/donjon:ro", "-v", kit.sim + ":/sim", "-e", "DONJON_SIM_DIR=/sim"));
        cmd.addAll(options);
        cmd.add(Images.image("cli"));
        cmd.addAll(args);
        return cmd;
    }

    private void awaitReady(int adminPort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(adminPort, "/readyz").statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail("no service became ready on admin port " + adminPort + ": " + logs());
    }

    private String logs() throws Exception {
        StringBuilder b = new StringBuilder();
        for (String c : containers) {
            Podman.Result r = podman.run("logs", c);
            b.append("\n--- ").append(c).append(":\n").append(r.out()).append(r.err());
        }
        return b.toString();
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Socket connectWithin(int port, Duration max, String deployer) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (podman.run("inspect", "--format", "{{.State.Running}}", deployer).out().strip().equals("false"))
                fail("the deployment ended before ROT13 listened: " + logs());
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        fail("ROT13 never listened on " + port + ": " + logs());
        return null;
    }
}
