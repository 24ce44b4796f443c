package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code donjon deploy} as a drop-in for {@code donjon run}: the client's stdin reaches the guest (sealed, whole, in
 * order, its end where the client ended it), the command line's arguments reach it, and time limits are kept to the
 * millisecond. And what an untrusted host can do to that stdin: alter, drop, reorder or truncate its sealed chunks,
 * none of which the guest may take for genuine input or a genuine end.
 */
class DeployInputTest {

    private HostAgent agent;

    @BeforeEach
    void startAgent() throws IOException {
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterEach
    void stopAgent() {
        agent.close();
        DeployEndToEndTest.assertNoChildProcesses();
    }

    private static Deployer deployer(URI host, Deployer.Options options) {
        return new Deployer(options, TrustOptions.insecure(), Deployer.Progress.SILENT);
    }

    private Deployer deployer() {
        return deployer(agent.baseUri(), Deployer.Options.to(agent.baseUri()));
    }

    /** 3 MiB: many chunks, and more than the Keep buffers for a guest (the upload waits for the guest to read). */
    private static byte[] input() {
        byte[] b = new byte[3 << 20];
        for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + (i * 7 + i / 4096) % 26);
        return b;
    }

    @Test
    void stdinReachesTheGuestWholeAndInOrderThenEndOfFile() throws Exception {
        byte[] in = input();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.copyStdin(), new ByteArrayInputStream(in), out, err));
        assertArrayEquals(in, out.toByteArray());
        assertEquals("eof after " + in.length + " bytes\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyStdinIsEndOfFileAtOnce() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.copyStdin(), OutputStream.nullOutputStream(), err));
        assertEquals("eof after 0 bytes\n", err.toString(StandardCharsets.UTF_8));
    }

    /** A guest that ends without reading stdin ends the deployment, even while stdin (a terminal, say) stays open. */
    @Test
    void aGuestThatDoesNotReadStdinEndsWhileStdinIsStillOpen() throws Exception {
        InputStream neverEnds = new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.io.InterruptedIOException();
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(Workloads.hello(), neverEnds, out, OutputStream.nullOutputStream()));
        assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void argumentsFollowTheConfigsAsWithRun() throws Exception {
        var pkg = Workloads.showEnv("args = [\"from-toml\"]\n", Map.of()).withArgs(List.of("a b", "--flag", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, deployer().deploy(pkg, out, OutputStream.nullOutputStream()));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("""
                argv[0]=main.wasm
                argv[1]=from-toml
                argv[2]=a b
                argv[3]=--flag
                argv[4]=
                """), out.toString(StandardCharsets.UTF_8));
    }

    /** `--max-time 300ms` is 300 ms in the Keep, not rounded to a second. */
    @Test
    void aTimeLimitBelowASecondIsKept() throws Exception {
        var options = new Deployer.Options(
                agent.baseUri(),
                Optional.empty(),
                Deployer.Options.DEFAULT_MEMORY_MIB,
                Optional.of(Duration.ofMillis(300)));
        var loop = new dev.donjon.host.protocol.WorkloadPackage(
                Workloads.file("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm"), Optional.empty(), Map.of());
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer(agent.baseUri(), options)
                        .deploy(loop, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("guest ran longer than 300 ms and was stopped"), e.getMessage());
    }

    // --- what the host may try on the input channel ---

    private static String attack(MaliciousHost host, Deployer.Options options, byte[] stdin, int expectedExit)
            throws Exception {
        return attack(host, options, stdin, expectedExit, new ByteArrayOutputStream());
    }

    /** Deploys copy_stdin through {@code host}; {@code out} gets what the guest wrote, that is what it took for input. */
    private static String attack(
            MaliciousHost host, Deployer.Options options, byte[] stdin, int expectedExit, ByteArrayOutputStream out)
            throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                deployer(host.uri(), options).deploy(Workloads.copyStdin(), new ByteArrayInputStream(stdin), out, err);
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, code, said);
        assertFalse(said.contains("eof after"), "the guest took a tampered input for a complete one: " + said);
        return said;
    }

    @Test
    void anAlteredInputChunkIsAReadErrorNotData() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> {
                chunks.getFirst()[3] ^= 1;
                return chunks;
            });
            String said =
                    attack(host, Deployer.Options.to(host.uri()), "secret plans\n".getBytes(StandardCharsets.UTF_8), 3);
            assertTrue(said.startsWith("stdin: "), said);
        }
    }

    @Test
    void reorderedInputChunksAreAReadError() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> {
                List<byte[]> swapped = new ArrayList<>(chunks);
                Collections.swap(swapped, 0, 1);
                return swapped;
            });
            // more than one chunk of data: the client seals at most 64 KiB per chunk
            attack(host, Deployer.Options.to(host.uri()), new byte[200_000], 3);
        }
    }

    @Test
    void aDroppedInputChunkIsAReadError() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> new ArrayList<>(chunks.subList(1, chunks.size())));
            attack(host, Deployer.Options.to(host.uri()), new byte[200_000], 3);
        }
    }

    /**
     * An authentic chunk sent twice is never data twice: the guest reads a failure (and the Keep drops what it held,
     * so the first copy may not be read either).
     */
    @Test
    void aReplayedInputChunkIsAReadError() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> {
                List<byte[]> replayed = new ArrayList<>(chunks);
                replayed.add(1, chunks.getFirst().clone());
                return replayed;
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String said =
                    attack(host, Deployer.Options.to(host.uri()), "pay 100\n".getBytes(StandardCharsets.UTF_8), 3, out);
            assertTrue(said.startsWith("stdin: "), said);
            String read = out.toString(StandardCharsets.UTF_8);
            assertTrue(read.isEmpty() || read.equals("pay 100\n"), "the guest read the replayed chunk: " + read);
        }
    }

    /** Input the host makes up (a chunk of its own before the client's): a read error, and none of it reaches the guest. */
    @Test
    void inputTheHostMakesUpNeverReachesTheGuest() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> {
                List<byte[]> forged = new ArrayList<>(chunks);
                byte[] madeUp = new byte[chunks.getFirst().length];
                java.util.Arrays.fill(madeUp, (byte) 'x');
                madeUp[0] = 1; // the type byte of a data frame, under no valid tag
                forged.addFirst(madeUp);
                return forged;
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String said =
                    attack(host, Deployer.Options.to(host.uri()), "genuine\n".getBytes(StandardCharsets.UTF_8), 3, out);
            assertTrue(said.startsWith("stdin: "), said);
            assertEquals(0, out.size(), "the guest read input the host made up: " + out);
        }
    }

    /** Cutting the stream before its sealed end is no end-of-file: the guest waits (here until its time limit). */
    @Test
    void aTruncatedInputIsNeverEndOfFile() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteInput(chunks -> new ArrayList<>(chunks.subList(0, chunks.size() - 1)));
            var options = new Deployer.Options(
                    host.uri(),
                    Optional.empty(),
                    Deployer.Options.DEFAULT_MEMORY_MIB,
                    Optional.of(Duration.ofSeconds(3)));
            DeployException e = assertThrows(
                    DeployException.class,
                    () -> attack(host, options, "all of it\n".getBytes(StandardCharsets.UTF_8), 0));
            assertTrue(e.getMessage().contains("guest ran longer than 3 s"), e.getMessage());
        }
    }

    /** The agent relays input only to a running Keep (one upload at a time). */
    @Test
    void inputIsRelayedOnlyToARunningKeep() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        byte[] nonce = new byte[dev.donjon.host.protocol.KeepBinding.NONCE_BYTES];
        var created = http.send(
                java.net.http.HttpRequest.newBuilder(agent.baseUri().resolve("/v1/keeps"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"nonce\":\"" + java.util.Base64.getEncoder().encodeToString(nonce) + "\"}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(created.body())
                .get("keepId")
                .asText();
        var early = http.send(
                java.net.http.HttpRequest.newBuilder(agent.baseUri().resolve("/v1/keeps/" + id + "/input"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 1, 9}))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(409, early.statusCode(), "input before the package: " + early.body());
        http.close();
        agent.remove(Principal.anonymous(), id);
        for (int i = 0; i < 100 && agent.running() > 0; i++) TimeUnit.MILLISECONDS.sleep(50);
    }
}
