package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.AgentClient;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.KeepBinding;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An agent killed with SIGKILL runs no clean-up at all: its Keeps must still end, by themselves. An agent stopped with
 * SIGTERM stops them itself, ends the output streams of its clients with its notice, and exits.
 */
class AgentKilledTest {

    @Test
    void keepsEndWhenTheirAgentIsKilled() throws Exception {
        killAndCheck(true);
    }

    @Test
    void sigtermStopsEveryKeepAndTellsTheClient() throws Exception {
        killAndCheck(false);
    }

    private void killAndCheck(boolean sigkill) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), StandaloneAgent.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<ProcessHandle> keeps = new ArrayList<>();
        try {
            URI uri =
                    URI.create(new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))
                            .readLine());
            int port = Workloads.freePort();
            // one Keep running a server, one waiting for its package
            Deployer serving =
                    new Deployer(Deployer.Options.to(uri), TrustOptions.insecure(), Deployer.Progress.SILENT);
            java.util.concurrent.atomic.AtomicReference<String> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return serving.deploy(
                            Workloads.rot13(port), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
                } catch (Exception e) {
                    failure.set(e.getMessage());
                    return -1;
                }
            });
            DeployEndToEndTest.connectWhenListening(port, run).close();
            try (AgentClient client = new AgentClient(uri)) {
                client.createKeep(new byte[KeepBinding.NONCE_BYTES], Optional.empty(), 64, Optional.empty());
                client.list()
                        .forEach(k -> keeps.add(
                                ProcessHandle.of(k.get("pid").asLong()).orElseThrow()));
            }
            assertTrue(
                    keeps.size() == 2 && keeps.stream().allMatch(ProcessHandle::isAlive),
                    "two live Keeps before the kill");

            if (sigkill) {
                agent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            } else {
                agent.destroy(); // SIGTERM: the graceful close
                assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent exits after SIGTERM");
                // the deploying client was told how its Keep ended, not left with a cut stream
                assertTrue(run.get(30, TimeUnit.SECONDS) == -1);
                assertTrue(
                        failure.get() != null && failure.get().contains("the host agent is shutting down"),
                        failure.get());
            }
            agent.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle k : keeps) {
                k.onExit().get(30, TimeUnit.SECONDS);
                assertFalse(k.isAlive(), "Keep " + k.pid() + " outlived its killed agent");
            }
        } finally {
            agent.destroyForcibly();
            keeps.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
