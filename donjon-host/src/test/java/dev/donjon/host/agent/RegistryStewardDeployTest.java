package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Tls;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.PackageReference;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 end to end: a private registry package deployed through the host agent to a sim Keep. The sealed reference
 * names the Steward; the Keep enrolls ([sim] policy, in-process Steward over HTTPS) and presents the issued certificate
 * to the registry, which accepts only client certificates from that Steward's CA. Without the Steward: 404, as if the private repository did not exist.
 */
class RegistryStewardDeployTest {
    @TempDir
    static Path simDir;

    @TempDir
    static Path dir;

    private static HostAgent agent;
    private static StewardServer steward;
    private static RegistryOnLoopback registry;
    private static X509Certificate stewardServerCert;
    private static byte[] simChain;

    @BeforeAll
    static void start() throws Exception {
        agent = HostAgent.start(HostAgent.Config.defaults(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                .withLauncher(KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString()))));
        simChain = SimAuthority.load(simDir).chainPem();
        Files.write(dir.resolve("sim-chain.pem"), simChain);
        String policy = "[sim]\nchain = \"sim-chain.pem\"\nhash = [\""
                + HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess()) + "\"]\n";
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.generate(clock.instant());
        Steward s = new Steward(new Steward.Config(
                ca,
                StewardPolicy.parse(policy, dir),
                TrustAnchors.bundled(),
                clock,
                Duration.ofDays(1),
                List.of("localhost")));
        KeyPair serverKey = KeepIdentity.newKeyPair(Backend.NIL);
        stewardServerCert = SelfSignedIdentity.localhost(serverKey, clock);
        SSLContext tls = Tls.context(serverKey.getPrivate(), List.of(stewardServerCert), Optional.empty());
        steward = StewardServer.start(new StewardServer.Config(
                s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.of(tls)));
        registry = new RegistryOnLoopback(dir, ca.certificate());
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (steward != null) steward.close();
        if (registry != null) registry.close();
    }

    private static Deployer deployer() {
        return new Deployer(
                Deployer.Options.to(agent.baseUri()),
                TrustOptions.insecure(Optional.of(simChain)),
                Deployer.Progress.SILENT);
    }

    private static String publishPrivateRot13(String name, int port) throws Exception {
        Path p = Files.createDirectories(dir.resolve(name));
        Files.copy(Workloads.root().resolve("examples/rot13/rot13.wasm"), p.resolve("main.wasm"));
        Files.write(p.resolve("Enarx.toml"), Workloads.listen("ROT13", port));
        return registry.publish(name, false, "1.0.0", p);
    }

    @Test
    void aKeepEnrolledWithTheStewardInTheReferenceFetchesThePrivatePackageAndServes() throws Exception {
        int port = Workloads.freePort();
        String slug = publishPrivateRot13("private-enrolled", port);
        PackageReference ref = new PackageReference(
                        slug, Optional.empty(), Optional.empty(), List.of(registry.tlsCa.getEncoded()))
                .withSteward(steward.baseUri().toString(), List.of(stewardServerCert.getEncoded()));
        RegistryDeployTest.deployAndTalkRot13(deployer(), ref, port);
    }

    /** What the fetching Keep's CSR says about its workload, as the Steward reads it: the slug, and no digest yet. */
    @Test
    void theFetchEnrollmentNamesTheSlugAndClaimsNoDigest() throws Exception {
        var ext = WorkloadIdentity.ofSlug("localhost:1/alice/rot13:1.0.0").toExtension();
        var read = dev.donjon.abi.csr.WorkloadIdentity.fromAsn1(org.bouncycastle.asn1.ASN1Sequence.getInstance(
                ext.getExtnValue().getOctets()));
        assertEquals(Optional.of("localhost:1/alice/rot13:1.0.0"), read.slug());
        assertEquals(Optional.empty(), read.digest());
    }

    @Test
    void theSameDeployWithoutAStewardIsRefusedByTheRegistry() throws Exception {
        String slug = publishPrivateRot13("private-no-steward", Workloads.freePort());
        PackageReference ref =
                new PackageReference(slug, Optional.empty(), Optional.empty(), List.of(registry.tlsCa.getEncoded()));
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer().deploy(ref, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(
                e.getMessage().contains("cannot fetch package " + slug)
                        && e.getMessage().contains("(404)"),
                e.getMessage());
    }

    @Test
    void aStewardTheKeepCannotTrustIsReportedAndNothingIsFetched() throws Exception {
        String slug = publishPrivateRot13("private-untrusted-steward", Workloads.freePort());
        PackageReference ref = new PackageReference(
                        slug, Optional.empty(), Optional.empty(), List.of(registry.tlsCa.getEncoded()))
                .withSteward(steward.baseUri().toString(), List.of());
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer().deploy(ref, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("cannot enroll with the Steward at " + steward.baseUri()), e.getMessage());
    }
}
