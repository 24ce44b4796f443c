package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.drawbridge.ContentDigest;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.keep.KeepTlsIdentity;
import dev.donjon.host.keep.RegistryPackageResolver;
import dev.donjon.host.keep.WorkloadRunner;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Enrollment;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.TrustAnchors;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploy from a registry: the client seals only a reference; the Keep resolves the tag, fetches the tree and checks
 * every node before running. Registry (TLS, client certificates from the Steward CA), host agent (nil backend,
 * insecure opt-in) and the ROT13 client all on loopback; the Keep certificate is issued by an in-process Steward to a
 * sim Keep's CSR.
 */
class RegistryDeployTest {
    private static final byte[] MEASUREMENT = new byte[48];

    @TempDir
    static Path dir;

    private static HostAgent agent;
    private static RegistryOnLoopback registry;
    private static KeepTlsIdentity keepIdentity;

    @BeforeAll
    static void start() throws Exception {
        java.util.Arrays.fill(MEASUREMENT, (byte) 0x42);
        Instant now = Instant.now();
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        SimPlatform sim = new SimPlatform(dir.resolve("sim"), clock, MEASUREMENT::clone);
        KeepIdentity keep = KeepIdentity.create(sim, CachedCollateral.none());
        Path policy = dir.resolve("steward.toml");
        Files.writeString(
                policy,
                "[sim]\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\nchain = \""
                        + dir.resolve("sim").resolve(SimAuthority.CHAIN_FILE) + "\"\n");
        Steward steward = new Steward(new Steward.Config(
                CertificateAuthority.generate(now),
                StewardPolicy.read(policy),
                TrustAnchors.bundled(),
                clock,
                Steward.Config.DEFAULT_VALIDITY,
                List.of("localhost")));
        var issued = assertInstanceOf(Enrollment.Issued.class, steward.enroll(keep.csr()));
        List<X509Certificate> leafFirst = new ArrayList<>(issued.chain());
        Collections.reverse(leafFirst); // the Steward answers CA first; TLS presents the leaf first
        keepIdentity = new KeepTlsIdentity(keep.keyPair().getPrivate(), leafFirst);

        registry = new RegistryOnLoopback(dir, steward.ca().certificate());
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (registry != null) registry.close();
    }

    private static Deployer deployer() {
        return new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT);
    }

    /** examples/rot13 as published: main.wasm and an Enarx.toml listening on {@code port}. */
    private static Path rot13Package(String name, int port) throws Exception {
        Path p = Files.createDirectories(dir.resolve(name));
        Files.copy(Workloads.root().resolve("examples/rot13/rot13.wasm"), p.resolve("main.wasm"));
        Files.write(p.resolve("Enarx.toml"), Workloads.listen("ROT13", port));
        return p;
    }

    private static PackageReference reference(String slug) throws Exception {
        return new PackageReference(slug, Optional.empty(), Optional.empty(), List.of(registry.tlsCa.getEncoded()));
    }

    @Test
    void rot13IsPublishedDeployedBySlugAndServes() throws Exception {
        int port = Workloads.freePort();
        String slug = registry.publish("rot13", true, "0.1.0", rot13Package("rot13", port));
        byte[] wasm = Workloads.file("examples/rot13/rot13.wasm");
        PackageReference ref = new PackageReference(
                slug,
                Optional.of(PackageReference.sha256Hex(wasm)),
                Optional.empty(),
                List.of(registry.tlsCa.getEncoded()));
        deployAndTalkRot13(deployer(), ref, port);
    }

    /** Deploys {@code ref} (the ROT13 example listening on {@code port}), checks one line round trip, then stops it. */
    static void deployAndTalkRot13(Deployer d, PackageReference ref, int port) throws Exception {
        CompletableFuture<Integer> deployment = CompletableFuture.supplyAsync(() -> {
            try {
                return d.deploy(ref, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            } catch (Exception e) {
                throw new RuntimeException(e.getMessage(), e);
            }
        });
        try (Socket s = DeployEndToEndTest.connectWhenListening(port, deployment)) {
            s.getOutputStream().write("Hello, World!\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(
                    "Hello, World!\nUryyb, Jbeyq!\n",
                    new String(s.getInputStream().readNBytes(28), StandardCharsets.US_ASCII));
        } finally {
            d.stop();
        }
    }

    @Test
    void privateRepositoryIsRefusedToAnAnonymousKeep() throws Exception {
        String slug =
                registry.publish("private-anon", false, "1.0.0", rot13Package("private-anon", Workloads.freePort()));
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer()
                        .deploy(reference(slug), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(
                e.getMessage().contains("cannot fetch package " + slug)
                        && e.getMessage().contains("(404)"),
                e.getMessage());
    }

    @Test
    void privateRepositoryIsReleasedToAKeepWithItsStewardCertificate() throws Exception {
        Path pkg = rot13Package("private-keep", Workloads.freePort());
        String slug = registry.publish("private-keep", false, "1.0.0", pkg);
        WorkloadPackage fetched =
                new RegistryPackageResolver(KeepTlsIdentity.Source.of(keepIdentity)).resolve(reference(slug));
        assertArrayEquals(Files.readAllBytes(pkg.resolve("main.wasm")), fetched.wasm());
        assertArrayEquals(
                Files.readAllBytes(pkg.resolve("Enarx.toml")),
                fetched.enarxToml().orElseThrow());

        // the same Keep without its certificate is refused
        var anon = assertThrows(
                WorkloadRunner.WorkloadFailedException.class,
                () -> new RegistryPackageResolver(KeepTlsIdentity.Source.NONE).resolve(reference(slug)));
        assertTrue(anon.getMessage().contains("(404)"), anon.getMessage());
    }

    @Test
    void aBlobModifiedOnDiskIsDetectedAndNothingRuns() throws Exception {
        Path pkg = rot13Package("tampered", Workloads.freePort());
        String slug = registry.publish("tampered", true, "0.1.0", pkg);
        Path blob = registry.storeDir
                .resolve("blobs")
                .resolve(ContentDigest.of(Files.readAllBytes(pkg.resolve("Enarx.toml")))
                        .sha256Hex());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 2] ^= 1;
        Files.write(blob, bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeployException e = assertThrows(DeployException.class, () -> deployer().deploy(reference(slug), out, out));
        assertTrue(
                e.getMessage().contains("cannot fetch package " + slug)
                        && e.getMessage().contains("modified on disk"),
                e.getMessage());
        assertEquals(0, out.size());
    }

    @Test
    void aModuleOtherThanTheOnePinnedIsRefused() throws Exception {
        String slug = registry.publish("pinned", true, "0.1.0", rot13Package("pinned", Workloads.freePort()));
        PackageReference ref = new PackageReference(
                slug, Optional.of("00".repeat(32)), Optional.empty(), List.of(registry.tlsCa.getEncoded()));
        DeployException e = assertThrows(
                DeployException.class,
                () -> deployer().deploy(ref, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("not the expected " + "00".repeat(32)), e.getMessage());
    }

    /** A publisher key pair; the Keep gets only the public half, as DER SubjectPublicKeyInfo. */
    private static KeyPair publisherKeys() throws Exception {
        return RegistryOnLoopback.ecKeys();
    }

    private static PackageReference requiringTagKeys(String slug, KeyPair... publishers) throws Exception {
        return reference(slug)
                .withTagKeys(Arrays.stream(publishers)
                        .map(k -> k.getPublic().getEncoded())
                        .toList());
    }

    @Test
    void aTagSignedByOneOfTheRequiredKeysIsFetchedAndRuns() throws Exception {
        KeyPair publisher = publisherKeys();
        int port = Workloads.freePort();
        String slug = registry.publish("signed", true, "1.0.0", rot13Package("signed", port), Optional.of((ECPrivateKey)
                publisher.getPrivate()));
        deployAndTalkRot13(deployer(), requiringTagKeys(slug, publisherKeys(), publisher), port);
    }

    @Test
    void aTagSignedByAnotherKeyIsRefusedAndNothingRuns() throws Exception {
        KeyPair publisher = publisherKeys(), required = publisherKeys();
        String slug = registry.publish(
                "signed-other",
                true,
                "1.0.0",
                rot13Package("signed-other", Workloads.freePort()),
                Optional.of((ECPrivateKey) publisher.getPrivate()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeployException e = assertThrows(
                DeployException.class, () -> deployer().deploy(requiringTagKeys(slug, required), out, out));
        assertTrue(
                e.getMessage()
                        .contains("cannot fetch package " + slug + ": tag 1.0.0 is signed by another key ("
                                + SignedTag.keyId((ECPublicKey) publisher.getPublic()) + "), not by the required key "
                                + SignedTag.keyId((ECPublicKey) required.getPublic())),
                e.getMessage());
        assertEquals(0, out.size());
    }

    @Test
    void anUnsignedTagIsRefusedWhenAKeyIsRequired() throws Exception {
        String slug = registry.publish("unsigned", true, "1.0.0", rot13Package("unsigned", Workloads.freePort()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeployException e = assertThrows(
                DeployException.class, () -> deployer().deploy(requiringTagKeys(slug, publisherKeys()), out, out));
        assertTrue(
                e.getMessage()
                        .contains("cannot fetch package " + slug
                                + ": tag 1.0.0 is unsigned, and a signed tag is required"),
                e.getMessage());
        assertEquals(0, out.size());
    }
}
