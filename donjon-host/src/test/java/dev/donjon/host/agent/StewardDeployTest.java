package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Tls;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.platform.Backend;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.SelfSignedIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.StewardServer;
import dev.donjon.steward.TrustAnchors;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployed package whose Enarx.toml names a Steward: the sim Keep enrolls with it (trusting the Steward's HTTPS
 * server through the package's {@code steward-ca.pem}) and its TLS listener presents the issued certificate, whose
 * claims name the module the Keep runs.
 */
class StewardDeployTest {
    @TempDir
    static Path simDir;

    @TempDir
    static Path stewardDir;

    private static HostAgent agent;
    private static CertificateAuthority ca;
    private static StewardServer steward;
    private static byte[] stewardServerPem;
    private static byte[] simChain;

    @BeforeAll
    static void start() throws Exception {
        KeepLauncher launcher = KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString()));
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                        .withLauncher(launcher));
        simChain = SimAuthority.load(simDir).chainPem();
        Files.write(stewardDir.resolve("sim-chain.pem"), simChain);
        String policy = "[sim]\nchain = \"sim-chain.pem\"\nhash = [\""
                + HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess()) + "\"]\n";
        Clock clock = Clock.systemUTC();
        ca = CertificateAuthority.generate(clock.instant());
        Steward s = new Steward(new Steward.Config(
                ca,
                StewardPolicy.parse(policy, stewardDir),
                TrustAnchors.bundled(),
                clock,
                Duration.ofDays(1),
                List.of("localhost")));
        KeyPair serverKey = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate serverCert = SelfSignedIdentity.localhost(serverKey, clock);
        stewardServerPem = ("-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(serverCert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n")
                .getBytes(StandardCharsets.US_ASCII);
        SSLContext tls = Tls.context(serverKey.getPrivate(), List.of(serverCert), Optional.empty());
        steward = StewardServer.start(new StewardServer.Config(
                s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.of(tls)));
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (steward != null) steward.close();
    }

    private static Deployer deployer() {
        return new Deployer(
                Deployer.Options.to(agent.baseUri()),
                TrustOptions.insecure(Optional.of(simChain)),
                new Deployer.Progress() {
                    public void keepCreated(String keepId, String backend) {}

                    public void trusted(dev.donjon.host.client.Appraisal.Trusted appraisal) {}

                    public void sent(String keepId) {}
                });
    }

    private static byte[] tlsRot13(URI stewardUrl, int port) {
        return ("steward = \"" + stewardUrl + "\"\n"
                        + new String(Workloads.listen("ROT13", port), StandardCharsets.UTF_8)
                                .replace("prot = \"tcp\"", "prot = \"tls\""))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeployedKeepEnrollsAndItsListenerPresentsTheStewardIssuedCertificate() throws Exception {
        int port = Workloads.freePort();
        byte[] module = Workloads.file("examples/rot13/rot13.wasm");
        WorkloadPackage pkg = new WorkloadPackage(
                module, Optional.of(tlsRot13(steward.baseUri(), port)), Map.of(), Optional.of(stewardServerPem));
        Deployer d = deployer();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(pkg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Socket plain = DeployEndToEndTest.connectWhenListening(port, run);
                SSLSocket s = (SSLSocket) trustingOnly(ca.certificate())
                        .getSocketFactory()
                        .createSocket(plain, "localhost", port, true)) {
            s.getOutputStream().write("Enrolled\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(
                    "Enrolled\nRaebyyrq\n", new String(s.getInputStream().readNBytes(18), StandardCharsets.US_ASCII));
            X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
            leaf.verify(ca.certificate().getPublicKey());
            ClaimsExtension claims =
                    ClaimsExtension.from(leaf).orElseThrow(() -> new AssertionError("no claims extension"));
            assertEquals("sim", claims.tee());
            assertArrayEquals(RuntimeMeasurement.ofThisProcess(), claims.measurement());
            WorkloadIdentity workload =
                    claims.workload().orElseThrow(() -> new AssertionError("no workload in the claims"));
            assertArrayEquals(
                    MessageDigest.getInstance("SHA-256").digest(module),
                    workload.digest().orElseThrow().value());
        }
        d.stop();
        assertThrows(Exception.class, () -> run.get(30, TimeUnit.SECONDS));
    }

    @Test
    void withoutTheStewardCaInThePackageTheKeepCannotTrustTheStewardAndTheGuestFails() throws Exception {
        int port = Workloads.freePort();
        WorkloadPackage pkg = new WorkloadPackage(
                Workloads.file("examples/rot13/rot13.wasm"), Optional.of(tlsRot13(steward.baseUri(), port)), Map.of());
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer().deploy(pkg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("TLS with the Steward at " + steward.baseUri() + " failed"), e.getMessage());
    }

    private static SSLContext trustingOnly(X509Certificate anchor) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("steward-ca", anchor);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
