package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.host.client.AgentClient;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.ClientSession;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.OutputFrame;
import dev.donjon.host.protocol.WorkloadPackage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every way a deployment can go wrong ends with a clear error and no Keep process left behind. */
class DeployFailuresTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private HostAgent agent;

    private HostAgent start(HostAgent.Config config) throws Exception {
        agent = HostAgent.start(config);
        return agent;
    }

    private static HostAgent.Config nil() {
        return HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil");
    }

    @AfterEach
    void noKeepOutlivesTheAgent() {
        if (agent == null) return;
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

    @Test
    void anInsecureKeepIsRefusedUnlessAllowedAndNothingIsSent() throws Exception {
        RecordingTap tap = new RecordingTap();
        start(nil().withTap(tap));
        TrustOptions strict = TrustOptions.insecure().secure();
        DeployException e = assertThrows(
                DeployException.class,
                () -> new Deployer(Deployer.Options.to(agent.baseUri()), strict, Deployer.Progress.SILENT)
                        .deploy(Workloads.hello(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(
                e.getMessage().contains("nil backend") && e.getMessage().contains("nothing was sent"), e.getMessage());
        assertEquals(
                0,
                tap.bytes(Tap.Channel.KEEP_IN).length - 1 - 4 - KeepBinding.NONCE_BYTES,
                "only the HELLO went to the Keep");
        assertTrue(agent.list(Principal.anonymous()).isEmpty(), "the refused Keep was stopped and forgotten");
    }

    @Test
    void ciphertextSwappedBetweenTwoKeepsIsRefusedByTheKeep() throws Exception {
        start(nil());
        try (AgentClient client = new AgentClient(agent.baseUri())) {
            Created a = create(client);
            Created b = create(client);
            byte[] forA = a.session.seal(Workloads.hello()).encode();
            AgentClient.AgentException e =
                    assertThrows(AgentClient.AgentException.class, () -> client.sendPackage(b.offer.keepId(), forA));
            assertTrue(e.getMessage().contains("not sealed for this Keep"), e.getMessage());
            // B refused and ended; A was not disturbed and still runs its own package
            awaitState(client, b.offer.keepId(), "ended");
            client.sendPackage(a.offer.keepId(), forA);
            assertEquals("Hello, world!\n", new String(stdout(client, a), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theSamePackageTwiceIsRefusedAsAReplay() throws Exception {
        start(nil());
        try (AgentClient client = new AgentClient(agent.baseUri())) {
            int port = Workloads.freePort();
            Created a = create(client);
            byte[] sealed = a.session.seal(Workloads.rot13(port)).encode();
            client.sendPackage(a.offer.keepId(), sealed);
            AgentClient.AgentException e =
                    assertThrows(AgentClient.AgentException.class, () -> client.sendPackage(a.offer.keepId(), sealed));
            assertTrue(e.getMessage().contains("replay"), e.getMessage());
            client.stopKeep(a.offer.keepId());
        }
    }

    @Test
    void aKeepKilledMidDeploymentIsReportedAndTheOthersLiveOn() throws Exception {
        start(nil());
        int portA = Workloads.freePort();
        int portB = Workloads.freePort();
        Deployer first =
                new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT);
        Deployer second =
                new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT);
        CompletableFuture<Integer> a = background(first, Workloads.rot13(portA));
        CompletableFuture<Integer> b = background(second, Workloads.rot13(portB));
        DeployEndToEndTest.connectWhenListening(portA, a).close();
        DeployEndToEndTest.connectWhenListening(portB, b).close();

        long pid =
                agent.findAnyOwner(first.keepId().orElseThrow()).orElseThrow().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        ExecutionException e = assertThrows(ExecutionException.class, () -> a.get(30, TimeUnit.SECONDS));
        String why = e.getCause().getCause().getMessage();
        assertTrue(why.contains("ended before the workload did") && why.contains("died"), why);
        // the other Keep still serves
        try (Socket s = DeployEndToEndTest.connectWhenListening(portB, b)) {
            s.getOutputStream().write("abc\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("abc\nnop\n", new String(s.getInputStream().readNBytes(8), StandardCharsets.US_ASCII));
        }
        assertEquals(1, agent.running());
        second.stop();
        assertThrows(ExecutionException.class, () -> b.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aGuestOverItsTimeLimitEndsOnlyItsKeepWithTheReason() throws Exception {
        start(nil());
        WorkloadPackage loop = new WorkloadPackage(
                Workloads.file("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm"), Optional.empty(), Map.of());
        Deployer d = new Deployer(
                new Deployer.Options(agent.baseUri(), Optional.empty(), 64, Optional.of(Duration.ofSeconds(1))),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        DeployException e = assertThrows(
                DeployException.class,
                () -> d.deploy(loop, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(
                e.getMessage().contains("workload failed") && e.getMessage().contains("longer than 1 s"),
                e.getMessage());
    }

    @Test
    void aGuestOverItsCpuTimeLimitEndsOnlyItsKeepWithTheReason() throws Exception {
        start(nil());
        WorkloadPackage loop = new WorkloadPackage(
                Workloads.file("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm"), Optional.empty(), Map.of());
        Deployer d = new Deployer(
                new Deployer.Options(
                        agent.baseUri(),
                        Optional.empty(),
                        64,
                        Optional.of(Duration.ofSeconds(60)),
                        Optional.of(Duration.ofSeconds(1))),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        DeployException e = assertThrows(
                DeployException.class,
                () -> d.deploy(loop, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(
                e.getMessage().contains("workload failed") && e.getMessage().contains("more than 1 s of CPU time"),
                e.getMessage());
    }

    @Test
    void aSleepingGuestIsNotStoppedByItsCpuTimeLimit() throws Exception {
        start(nil());
        // 2.5 s asleep in poll_oneoff against a 1 s CPU budget
        WorkloadPackage sleeper = new WorkloadPackage(
                Workloads.file("donjon-wasi/src/test/resources/wasm/sleeper.wasm"),
                Optional.of("args = [\"2500\"]\n".getBytes(StandardCharsets.UTF_8)),
                Map.of());
        Deployer d = new Deployer(
                new Deployer.Options(
                        agent.baseUri(),
                        Optional.empty(),
                        64,
                        Optional.of(Duration.ofSeconds(60)),
                        Optional.of(Duration.ofSeconds(1))),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        assertEquals(0, d.deploy(sleeper, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
    }

    @Test
    void aGuestThatExhaustsItsMemoryEndsOnlyItsKeep() throws Exception {
        start(nil());
        WorkloadPackage hog = new WorkloadPackage(
                Workloads.file("donjon-wasi/src/test/resources/wasm/runaway_memory.wasm"), Optional.empty(), Map.of());
        Deployer d = new Deployer(
                new Deployer.Options(agent.baseUri(), Optional.empty(), 16, Optional.empty()),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        DeployException e = assertThrows(
                DeployException.class,
                () -> d.deploy(hog, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("workload failed") && e.getMessage().contains("memory"), e.getMessage());
        // the agent is unharmed and still deploys
        assertEquals(
                0,
                new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT)
                        .deploy(Workloads.hello(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
    }

    @Test
    void aKeepThatGetsNoPackageIsStopped() throws Exception {
        start(nil().withPackageTimeout(Duration.ofSeconds(1)));
        try (AgentClient client = new AgentClient(agent.baseUri())) {
            Created a = create(client);
            JsonNode status = awaitState(client, a.offer.keepId(), "ended");
            assertTrue(status.get("ended").asText().contains("no package arrived within 1 s"), status.toString());
        }
    }

    @Test
    void malformedRequestsAreOneLineErrors() throws Exception {
        start(nil());
        var http = java.net.http.HttpClient.newHttpClient();
        var bad = http.send(
                java.net.http.HttpRequest.newBuilder(agent.baseUri().resolve("/v1/keeps"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"nonce\":\"AAAA\"}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("nonce must be 32 bytes"), bad.body());
        var missing = http.send(
                java.net.http.HttpRequest.newBuilder(agent.baseUri().resolve("/v1/keeps/knope/output"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        var noCpu = createWithLimits(http, "{\"cpuSeconds\":0}");
        assertEquals(400, noCpu.statusCode());
        assertTrue(noCpu.body().contains("limits: CPU-time limit must be positive"), noCpu.body());
        var hugeCpu = createWithLimits(http, "{\"cpuSeconds\":" + Long.MAX_VALUE + "}");
        assertEquals(400, hugeCpu.statusCode());
        assertTrue(hugeCpu.body().contains("limits: CPU-time limit is too large"), hugeCpu.body());
        var noMillis = createWithLimits(http, "{\"cpuMillis\":0}");
        assertTrue(
                noMillis.statusCode() == 400 && noMillis.body().contains("limits: CPU-time limit must be positive"),
                noMillis.body());
        var both = createWithLimits(http, "{\"timeMillis\":500,\"timeSeconds\":1}");
        assertTrue(
                both.statusCode() == 400 && both.body().contains("limits: give timeMillis or timeSeconds, not both"),
                both.body());
        var text = createWithLimits(http, "{\"timeMillis\":\"soon\"}");
        assertTrue(
                text.statusCode() == 400 && text.body().contains("limits: timeMillis must be a whole number"),
                text.body());
        assertTrue(agent.list(Principal.anonymous()).isEmpty());
    }

    private java.net.http.HttpResponse<String> createWithLimits(java.net.http.HttpClient http, String limits)
            throws Exception {
        String nonce = java.util.Base64.getEncoder().encodeToString(new byte[KeepBinding.NONCE_BYTES]);
        return http.send(
                java.net.http.HttpRequest.newBuilder(agent.baseUri().resolve("/v1/keeps"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"nonce\":\"" + nonce + "\",\"limits\":" + limits + "}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private record Created(KeepOffer offer, ClientSession session) {}

    private static Created create(AgentClient client) throws Exception {
        byte[] nonce = new byte[KeepBinding.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        KeepOffer offer = KeepOffer.parse(client.createKeep(nonce, Optional.empty(), 64, Optional.empty()));
        return new Created(offer, ClientSession.start(offer.publicKey(), new DeployContext(offer.keepId(), nonce)));
    }

    private static byte[] stdout(AgentClient client, Created k) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = client.openOutput(k.offer.keepId())) {
            while (true) {
                var rec = AgentClient.next(in).orElseThrow();
                if (!(rec instanceof AgentClient.OutputRecord.Chunk c)) throw new AssertionError("ended early: " + rec);
                OutputFrame f = k.session.output().open(c.ciphertext());
                if (f instanceof OutputFrame.Stdout s) out.write(s.data());
                if (f.isEnd()) return out.toByteArray();
            }
        }
    }

    private static JsonNode awaitState(AgentClient client, String keepId, String state) throws Exception {
        JsonNode s = client.status(keepId);
        for (int i = 0; i < 200 && !s.get("state").asText().equals(state); i++) {
            Thread.sleep(50);
            s = client.status(keepId);
        }
        assertEquals(state, s.get("state").asText(), s.toString());
        return s;
    }

    private static CompletableFuture<Integer> background(Deployer d, WorkloadPackage pkg) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(pkg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}
