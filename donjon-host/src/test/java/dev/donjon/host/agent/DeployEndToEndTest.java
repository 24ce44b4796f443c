package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.WorkloadPackage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole flow over loopback: client -> host agent -> a Keep process per deployment (nil backend, insecure opt-in). */
class DeployEndToEndTest {

    private HostAgent agent;

    @BeforeEach
    void startAgent() throws IOException {
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterEach
    void stopAgent() throws Exception {
        var pids =
                agent.list(Principal.anonymous()).stream().map(KeepProcess::pid).toList();
        agent.close();
        for (long pid : pids) {
            assertFalse(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "Keep process " + pid + " outlived the agent");
        }
        DeployEndToEndTest.assertNoChildProcesses();
    }

    private Deployer deployer() {
        return new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT);
    }

    @Test
    void helloRunsInItsOwnKeepAndItsOutputComesBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = deployer().deploy(Workloads.hello(), out, err);
        assertEquals(0, code);
        assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        awaitNoKeepRunning();
    }

    /**
     * A Keep's stdio are streams the Keep relays (sealed) to its owner, not a terminal: the guest is told so, as
     * wasmtime tells a guest whose stdio are not a terminal (file type unknown, isatty false).
     */
    @Test
    void theGuestIsToldItsStdioAreNoTerminal() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.stdioProbe(), OutputStream.nullOutputStream(), err));
        assertEquals("""
                fd 0: type 0 isatty 0 seek 0
                fd 1: type 0 isatty 0 seek 0
                fd 2: type 0 isatty 0 seek 0
                """, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitCodeConfigAndSecretsReachTheGuest() throws Exception {
        WorkloadPackage pkg = Workloads.showEnv("""
                env = { EXIT_CODE = "7" }
                """, Map.of("API_TOKEN", "tok-123"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = deployer().deploy(pkg, out, new ByteArrayOutputStream());
        assertEquals(7, code);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("env=EXIT_CODE=7\n"), printed);
        assertTrue(printed.contains("env=API_TOKEN=tok-123\n"), printed);
    }

    @Test
    void rot13IsDeployedAndServes() throws Exception {
        int port = Workloads.freePort();
        Deployer d = deployer();
        CompletableFuture<Integer> deployment = CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(
                        Workloads.rot13(port), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Socket s = connectWhenListening(port, deployment)) {
            s.getOutputStream().write("Hello, World!\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(
                    "Hello, World!\nUryyb, Jbeyq!\n",
                    new String(s.getInputStream().readNBytes(28), StandardCharsets.US_ASCII));
        }
        d.stop();
        ExecutionException e = assertThrows(ExecutionException.class, () -> deployment.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof DeployException, String.valueOf(e.getCause()));
        assertTrue(
                e.getCause().getCause().getMessage().contains("stopped on request"),
                e.getCause().getCause().getMessage());
        awaitNoKeepRunning();
    }

    /** Connects once the deployed server listens; fails fast if the deployment already ended. */
    static Socket connectWhenListening(int port, CompletableFuture<?> deployment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (deployment.isDone()) deployment.get();
            try {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(30_000);
                return s;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }

    /** Spare Keeps included: once an agent is closed, this JVM has no child process left. */
    static void assertNoChildProcesses() {
        // a Keep stopped on request was sent SIGKILL: give the kernel a moment to reap it
        for (ProcessHandle p : ProcessHandle.current().children().toList()) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception timedOut) {
                // still alive: reported below
            }
        }
        var alive = ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .toList();
        assertTrue(
                alive.isEmpty(),
                "processes left running: "
                        + alive.stream()
                                .map(p -> p.info().commandLine().orElse("?"))
                                .toList());
    }

    @Test
    void aSpareKeepServesTheNextDeploymentAndNoSpareOutlivesTheAgent() throws Exception {
        agent.close();
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil")
                        .withSpareKeeps(1));
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, deployer().deploy(Workloads.hello(), out, OutputStream.nullOutputStream()));
            assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        }
        for (int i = 0;
                i < 600
                        && ProcessHandle.current()
                                        .children()
                                        .filter(ProcessHandle::isAlive)
                                        .count()
                                < 1;
                i++) Thread.sleep(50);
        assertTrue(ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "a spare Keep is waiting");
    }

    private void awaitNoKeepRunning() throws InterruptedException {
        for (int i = 0; i < 200 && agent.running() > 0; i++) Thread.sleep(50);
        assertEquals(0, agent.running(), "Keeps still running");
    }
}
