package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.AgentClient;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code donjon deploy} streams its stdin to the guest, sealed: through the agent, in order, whole, ending when the
 * client's ends; interactively (a line reaches the guest before the next is written); and input the host forges into
 * the stream stops the deployment instead of reaching the guest.
 */
class DeployStdinTest {

    private HostAgent agent;

    @BeforeEach
    void startAgent() throws IOException {
        agent = HostAgent.start(HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterEach
    void stopAgent() {
        agent.close();
        DeployEndToEndTest.assertNoChildProcesses();
    }

    private Deployer deployer() {
        return new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT);
    }

    private static String rot13(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 'a' && c <= 'z') c = (char) ('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') c = (char) ('A' + (c - 'A' + 13) % 26);
            b.append(c);
        }
        return b.toString();
    }

    @Test
    void theGuestReadsTheClientsStdinWholeAndInOrder() throws Exception {
        // several requests' worth (each carries at most 1 MiB), with every byte value
        byte[] text = new byte[(3 << 20) + 12345];
        for (int i = 0; i < text.length; i++) text[i] = (byte) (i * 31 + i / 251);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.stdinRot13(), new ByteArrayInputStream(text), out, err));
        byte[] expected = text.clone();
        for (int i = 0; i < expected.length; i++) {
            int c = expected[i] & 0xff;
            if (c >= 'a' && c <= 'z') expected[i] = (byte) ('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') expected[i] = (byte) ('A' + (c - 'A' + 13) % 26);
        }
        assertArrayEquals(expected, out.toByteArray());
        assertEquals("stdin_rot13: " + text.length + " bytes\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutStdinTheGuestReadsEndOfFileAtOnce() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.stdinRot13(), OutputStream.nullOutputStream(), err));
        assertEquals("stdin_rot13: 0 bytes\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLineReachesTheGuestBeforeTheNextIsTyped() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(typing, 1 << 16);
        Echoes out = new Echoes();
        CompletableFuture<Integer> deployment = CompletableFuture.supplyAsync(() -> {
            try {
                return deployer().deploy(Workloads.stdinRot13(), stdin, out, OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (String line : List.of("Hello, Keep!\n", "Second line\n", "Third\n")) {
            typing.write(line.getBytes(StandardCharsets.UTF_8));
            typing.flush();
            out.await(rot13(line), deployment); // the guest answered before anything more was written
        }
        typing.close();
        assertEquals(0, deployment.get(60, TimeUnit.SECONDS));
    }

    @Test
    void inputTheHostForgesStopsTheDeploymentAndNeverReachesTheGuest() throws Exception {
        PipedOutputStream never = new PipedOutputStream();
        InputStream stdin = new PipedInputStream(never); // the owner types nothing; the guest waits for input
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deployer d = deployer();
        CompletableFuture<Integer> deployment = CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(Workloads.stdinRot13(), stdin, out, OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String keepId = awaitRunning(d, deployment);
        // the host (here: anyone who can reach the agent) slips its own bytes into the Keep's input
        try (AgentClient host = new AgentClient(agent.baseUri())) {
            byte[] forged = new byte[64];
            forged[0] = 1;
            host.sendInput(keepId, List.of(forged));
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> deployment.get(60, TimeUnit.SECONDS));
        Throwable why = e.getCause().getCause();
        assertTrue(why instanceof DeployException, String.valueOf(why));
        assertTrue(why.getMessage().contains("the guest's stdin was refused in transit: input chunk 0 failed authentication"), why.getMessage());
        assertEquals(0, out.size(), "the guest wrote nothing: it never read the forged bytes");
        never.close();
    }

    @Test
    void inputForAKeepThatEndedIsRefused() throws Exception {
        Deployer d = deployer();
        assertEquals(0, d.deploy(Workloads.hello(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        try (AgentClient client = new AgentClient(agent.baseUri())) {
            for (int i = 0; i < 200 && agent.running() > 0; i++) Thread.sleep(50);
            assertFalse(client.sendInput(d.keepId().orElseThrow(), List.of(new byte[32])), "the Keep has ended: 409");
        }
    }

    private String awaitRunning(Deployer d, CompletableFuture<?> deployment) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (deployment.isDone()) deployment.get();
            var id = d.keepId();
            if (id.isPresent() && agent.list(Principal.anonymous()).stream()
                    .anyMatch(k -> k.id.equals(id.get()) && k.state() == KeepProcess.State.RUNNING)) return id.get();
            Thread.sleep(50);
        }
        throw new AssertionError("the Keep never ran");
    }

    /** The guest's stdout, for a test waiting to see an answer. */
    private static final class Echoes extends OutputStream {
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            seen.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            seen.write(b, off, len);
            notifyAll();
        }

        synchronized void await(String suffix, CompletableFuture<?> deployment) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!seen.toString(StandardCharsets.UTF_8).endsWith(suffix)) {
                if (deployment.isDone()) deployment.get();
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("the guest did not answer '" + suffix.strip() + "'; it wrote: " + seen);
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }
}
