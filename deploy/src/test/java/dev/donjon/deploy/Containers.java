package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The containers (and pods) one test started, and how it talks to them: the CLI image run as a user runs it (host
 * network, read-only root, the operator's kit mounted at /etc/donjon), HTTP probes, and everything's logs when
 * something fails. {@link #close} removes them all.
 */
final class Containers implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Podman podman;
    final OperatorKit kit;
    private final List<String> containers = new ArrayList<>();
    private final List<String> pods = new ArrayList<>();

    Containers(Podman podman, OperatorKit kit) {
        this.podman = podman;
        this.kit = kit;
    }

    void started(String container) {
        containers.add(container);
    }

    void startedPod(String pod) {
        pods.add(pod);
    }

    /** The donjon command in the CLI image, to its end. */
    Podman.Result cli(String... args) throws Exception {
        return podman.run(cliRun(List.of("--rm"), List.of(args)));
    }

    /** {@code podman run} of the CLI image with {@code options} (say, -d --name N, --add-host, -i) and the command's {@code args}. */
    List<String> cliRun(List<String> options, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                "run",
                "--network",
                "host",
                "--read-only",
                "--tmpfs",
                "/tmp",
                "-v",
                kit.dir + ":/etc/donjon:ro",
                "-v",
                kit.sim + ":/sim",
                "-e",
                "DONJON_SIM_DIR=/sim"));
        cmd.addAll(options);
        cmd.add(Images.image("cli"));
        cmd.addAll(args);
        return cmd;
    }

    /** Waits until {@code url} answers 200 (a probe, as the kubelet makes it). */
    void awaitOk(URI url, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = HTTP.send(
                                HttpRequest.newBuilder(url)
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (last == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail(url + " did not answer 200 within " + max + " (last: " + last + "): " + logs());
    }

    static String get(URI url) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Connects to a workload on this host's {@code port} once it listens; fails at once if {@code deployer} has exited. */
    Socket connectWithin(int port, Duration max, String deployer) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (podman.run("inspect", "--format", "{{.State.Running}}", deployer)
                    .out()
                    .strip()
                    .equals("false")) fail("the deployment ended before the workload listened: " + logs());
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        fail("the workload never listened on " + port + ": " + logs());
        return null;
    }

    /** The address of a container on the pods' network. */
    String address(String container) throws Exception {
        String ip = podman.run(
                        "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container)
                .ok("inspect " + container)
                .out()
                .strip();
        if (ip.isEmpty()) fail(container + " has no address: " + logs());
        return ip;
    }

    String logs() throws Exception {
        StringBuilder b = new StringBuilder();
        List<String> all = new ArrayList<>(containers);
        for (String pod : pods) {
            String members = podman.run("ps", "-a", "--filter", "pod=" + pod, "--format", "{{.Names}}")
                    .out();
            members.lines().filter(n -> !n.endsWith("-infra")).forEach(all::add);
        }
        for (String c : all) {
            Podman.Result r = podman.run("logs", c);
            b.append("\n--- ").append(c).append(":\n").append(r.out()).append(r.err());
        }
        return b.toString();
    }

    @Override
    public void close() {
        podman.remove(containers.toArray(String[]::new));
        for (String pod : pods) {
            try {
                podman.run(List.of("pod", "rm", "-f", "-t", "1", pod), null, 120);
            } catch (Exception | AssertionError ignored) {
                // already gone
            }
        }
    }
}
