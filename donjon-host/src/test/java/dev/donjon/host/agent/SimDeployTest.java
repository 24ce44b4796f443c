package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.host.client.Appraisal;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimAuthority;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment to sim Keeps: real SEV-SNP-layout evidence under the sim platform's own chain, verified by the client
 * (chain, signature, binding of the Keep key to the client's nonce, measurement), and every way a host can cheat.
 */
class SimDeployTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path simDir;

    private static HostAgent agent;
    private static byte[] simChain;

    @BeforeAll
    static void start() throws Exception {
        KeepLauncher launcher = KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString()));
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                        .withLauncher(launcher));
        simChain = SimAuthority.load(simDir).chainPem();
    }

    @AfterAll
    static void stop() {
        var pids =
                agent.list(Principal.anonymous()).stream().map(KeepProcess::pid).toList();
        agent.close();
        for (long pid : pids)
            assertFalse(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "Keep " + pid + " outlived the agent");
        DeployEndToEndTest.assertNoChildProcesses();
    }

    private static Deployer deployer(URI host, TrustOptions trust, List<Appraisal.Trusted> trusted) {
        return new Deployer(Deployer.Options.to(host), trust, new Deployer.Progress() {
            public void keepCreated(String keepId, String backend) {}

            public void trusted(Appraisal.Trusted appraisal) {
                trusted.add(appraisal);
            }

            public void sent(String keepId) {}
        });
    }

    private static TrustOptions simTrust() {
        return TrustOptions.insecure(Optional.of(simChain));
    }

    @Test
    void rot13IsDeployedToAnAttestedSimKeepAndServes() throws Exception {
        int port = Workloads.freePort();
        List<Appraisal.Trusted> trusted = new ArrayList<>();
        Deployer d = deployer(agent.baseUri(), simTrust(), trusted);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(
                        Workloads.rot13(port), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Socket s = DeployEndToEndTest.connectWhenListening(port, run)) {
            s.getOutputStream().write("Sim Keep\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(
                    "Sim Keep\nFvz Xrrc\n", new String(s.getInputStream().readNBytes(18), StandardCharsets.US_ASCII));
        }
        String own = HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess());
        assertEquals(1, trusted.size());
        assertTrue(
                trusted.getFirst().summary().contains("SIMULATED")
                        && trusted.getFirst().summary().contains(own),
                trusted.getFirst().summary());
        assertTrue(
                trusted.getFirst().warnings().stream().anyMatch(w -> w.contains("SIMULATED TEE")),
                trusted.getFirst().warnings().toString());
        d.stop();
        assertThrows(Exception.class, () -> run.get(30, TimeUnit.SECONDS));
    }

    @Test
    void helloWithAPinnedMeasurementAndASimPolicy() throws Exception {
        String own = HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                deployer(agent.baseUri(), simTrust().withExpectedMeasurement(own), new ArrayList<>())
                        .deploy(Workloads.hello(), out, OutputStream.nullOutputStream()));
        assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        TrustOptions policy = simTrust().withPolicy(PolicyToml.parse("[sim]\nhash = [\"" + own + "\"]\n"));
        assertEquals(
                0,
                deployer(agent.baseUri(), policy, new ArrayList<>())
                        .deploy(Workloads.hello(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
    }

    @Test
    void aSimKeepIsRefusedWithoutTheInsecureFlag() {
        assertRefused(agent.baseUri(), simTrust().secure(), "sim backend");
    }

    @Test
    void aWrongMeasurementIsRefused() {
        assertRefused(agent.baseUri(), simTrust().withExpectedMeasurement("ab".repeat(48)), "is not the expected abab");
    }

    @Test
    void aSimPolicyThatDoesNotListTheMeasurementRefuses() throws Exception {
        TrustOptions policy = simTrust().withPolicy(PolicyToml.parse("[sim]\nhash = [\"" + "cd".repeat(48) + "\"]\n"));
        assertRefused(agent.baseUri(), policy, "the policy refuses the Keep");
    }

    @Test
    void anUntrustedSimChainIsRefused() {
        assertRefused(agent.baseUri(), TrustOptions.insecure(), "(chain)");
    }

    @Test
    void tamperedEvidenceIsRefused() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            host.rewriteOffers(offer -> rewriteEvidence(offer, report -> report[0x50] ^= 1)); // a REPORT_DATA byte
            assertRefused(host.uri(), simTrust(), "(signature)");
            host.rewriteOffers(offer -> rewriteEvidence(offer, report -> report[0x90] ^= 1)); // a MEASUREMENT byte
            assertRefused(host.uri(), simTrust(), "(signature)");
        }
    }

    @Test
    void aReplayedOfferBoundToAnotherNonceIsRefused() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            AtomicReference<byte[]> first = new AtomicReference<>();
            host.rewriteOffers(offer -> first.compareAndSet(null, offer) ? offer : first.get());
            assertEquals(
                    0,
                    deployer(host.uri(), simTrust(), new ArrayList<>())
                            .deploy(
                                    Workloads.hello(),
                                    OutputStream.nullOutputStream(),
                                    OutputStream.nullOutputStream()));
            assertRefused(host.uri(), simTrust(), "does not bind this Keep's public key to this deployment's nonce");
        }
    }

    @Test
    void aKeySwappedUnderGenuineEvidenceIsRefused() throws Exception {
        try (MaliciousHost host = new MaliciousHost(agent.baseUri())) {
            // the host keeps the genuine evidence but offers its own key, hoping to read the package
            byte[] hostKey = dev.donjon.host.protocol.DeploySuite.encodePublicKey(
                    dev.donjon.host.protocol.DeploySuite.newKeyPair());
            host.rewriteOffers(offer -> {
                try {
                    ObjectNode o = (ObjectNode) JSON.readTree(offer);
                    o.put("publicKey", Base64.getEncoder().encodeToString(hostKey));
                    return JSON.writeValueAsBytes(o);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertRefused(host.uri(), simTrust(), "does not bind this Keep's public key");
        }
    }

    private static byte[] rewriteEvidence(byte[] offer, java.util.function.Consumer<byte[]> change) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(offer);
            ObjectNode ev = (ObjectNode) o.get("evidence");
            byte[] report = Base64.getDecoder().decode(ev.get("bytes").asText());
            change.accept(report);
            ev.put("bytes", Base64.getEncoder().encodeToString(report));
            return JSON.writeValueAsBytes(o);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The deployment stops with the reason, sends nothing, and the Keep it was offered is gone. */
    private static void assertRefused(URI host, TrustOptions trust, String reason) {
        Deployer d = deployer(host, trust, new ArrayList<>());
        DeployException e = assertThrows(
                DeployException.class,
                () -> d.deploy(Workloads.hello(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains(reason) && e.getMessage().contains("nothing was sent"), e.getMessage());
        String keepId = d.keepId().orElseThrow();
        assertTrue(
                agent.findAnyOwner(keepId).isEmpty()
                        || agent.findAnyOwner(keepId).get().state() == KeepProcess.State.ENDED,
                "the refused Keep " + keepId + " was stopped");
    }
}
