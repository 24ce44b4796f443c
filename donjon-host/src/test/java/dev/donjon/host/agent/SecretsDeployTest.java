package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.PackageLoader;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.platform.Backend;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.SelfSignedIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.secrets.AuditLog;
import dev.donjon.secrets.BrokerMetrics;
import dev.donjon.secrets.BrokerServer;
import dev.donjon.secrets.EmbeddedStore;
import dev.donjon.secrets.MasterKey;
import dev.donjon.secrets.OperatorToken;
import dev.donjon.secrets.SecretBroker;
import dev.donjon.secrets.SecretPolicy;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.StewardServer;
import dev.donjon.steward.TrustAnchors;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
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
 * Deployed Keeps fetch their secrets from a secret broker, and the host sees none of it: a package directory with
 * Donjon.toml, and a reference that carries Donjon.toml and a sealed secret of its own. Every byte the host agent moves
 * (its tap, and a relay on the client's TCP) is recorded; the secrets reach the guest, never the host in clear. A Keep
 * running another module is refused by the broker and its deployment fails with the broker's reason.
 */
class SecretsDeployTest {
    private static final String BROKER_SECRET = "broker-secret-1b9e4c7a2d";
    private static final String SEALED_SECRET = "reference-sealed-5f0c3e8b";

    @TempDir
    static Path simDir;

    @TempDir
    static Path dir;

    private static RecordingTap tap;
    private static HostAgent agent;
    private static StewardServer steward;
    private static BrokerServer broker;
    private static byte[] simChain;
    private static String stewardTlsPem;
    private static String brokerTlsPem;

    @BeforeAll
    static void start() throws Exception {
        tap = new RecordingTap();
        agent = HostAgent.start(HostAgent.Config.defaults(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                .withTap(tap)
                .withLauncher(KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString()))));
        simChain = SimAuthority.load(simDir).chainPem();
        Files.write(dir.resolve("sim-chain.pem"), simChain);
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.generate(clock.instant());
        Steward s = new Steward(new Steward.Config(
                ca,
                StewardPolicy.parse(
                        "[sim]\nchain = \"sim-chain.pem\"\nhash = [\""
                                + HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess()) + "\"]\n",
                        dir),
                TrustAnchors.bundled(),
                clock,
                Duration.ofDays(1),
                List.of("localhost")));
        KeyPair stewardKey = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate stewardCert = SelfSignedIdentity.localhost(stewardKey, clock);
        stewardTlsPem = pem(stewardCert);
        SSLContext tls = Tls.context(stewardKey.getPrivate(), List.of(stewardCert), Optional.empty());
        steward = StewardServer.start(new StewardServer.Config(
                s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.of(tls)));

        Path key = dir.resolve("master.key");
        MasterKey.generate(key);
        SecretBroker b = new SecretBroker(
                EmbeddedStore.open(dir.resolve("store")),
                MasterKey.read(key),
                List.of(ca.certificate()),
                AuditLog.to(OutputStreamHolder.audit, "memory"),
                new BrokerMetrics(),
                clock);
        b.put(
                "db",
                BROKER_SECRET.getBytes(StandardCharsets.UTF_8),
                SecretPolicy.of(
                        List.of("sim"),
                        List.of(),
                        List.of("sha-256:"
                                + HexFormat.of()
                                        .formatHex(MessageDigest.getInstance("SHA-256")
                                                .digest(Workloads.file("examples/secrets/show-secrets.wasm")))),
                        List.of(),
                        List.of()),
                "test");
        KeyPair brokerKey = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate brokerCert = SelfSignedIdentity.localhost(brokerKey, clock);
        brokerTlsPem = pem(brokerCert);
        Path token = dir.resolve("operator.token");
        OperatorToken.generate(token);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        broker = BrokerServer.start(new BrokerServer.Config(
                b, OperatorToken.read(token), any, any, List.of(brokerCert), brokerKey.getPrivate()));
    }

    /** The broker's audit log, kept in memory for the assertions. */
    private static final class OutputStreamHolder {
        static final ByteArrayOutputStream audit = new ByteArrayOutputStream();
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (broker != null) broker.close();
        if (steward != null) steward.close();
    }

    private static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static String donjonToml() {
        return "[secrets]\nbroker = \"" + broker.keepsUri()
                + "\"\n[[secret]]\nname = \"db\"\nenv = \"DB_PASSWORD\"\nfile = \"db.txt\"\n";
    }

    private static String enarxToml() {
        return "steward = \"" + steward.baseUri() + "\"\nargs = [\"DB_PASSWORD\", \"API_TOKEN\", \"db.txt\"]\n";
    }

    /** A package directory as the owner writes it: main.wasm, Enarx.toml, Donjon.toml, the two CAs. */
    private static Path packageDir(String name, String module) throws Exception {
        Path p = Files.createDirectories(dir.resolve(name));
        Files.write(p.resolve("main.wasm"), Workloads.file(module));
        Files.writeString(p.resolve("Enarx.toml"), enarxToml());
        Files.writeString(p.resolve("Donjon.toml"), donjonToml());
        Files.writeString(p.resolve("steward-ca.pem"), stewardTlsPem);
        Files.writeString(p.resolve("secrets-ca.pem"), brokerTlsPem);
        return p;
    }

    private static String deploy(dev.donjon.host.protocol.Delivery what, RecordingProxy proxy) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Deployer(
                        Deployer.Options.to(proxy.uri()),
                        TrustOptions.insecure(Optional.of(simChain)),
                        Deployer.Progress.SILENT)
                .deploy(what, out, new ByteArrayOutputStream());
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void packagesAndReferencesGetTheirSecretsAndTheHostSeesNone() throws Exception {
        String wire;
        String fromPackage;
        String fromReference;
        try (RecordingProxy proxy = new RecordingProxy(agent.baseUri())) {
            fromPackage = deploy(PackageLoader.load(packageDir("pkg", "examples/secrets/show-secrets.wasm")), proxy);

            // a reference: the package (a file:// one here, read by the Keep) with the owner's Donjon.toml, the
            // broker's CA
            // and a secret sealed in the reference itself
            Path fetched = Files.createDirectories(dir.resolve("published"));
            Files.write(fetched.resolve("main.wasm"), Workloads.file("examples/secrets/show-secrets.wasm"));
            Files.writeString(fetched.resolve("Enarx.toml"), enarxToml());
            PackageReference ref = PackageReference.of(fetched.toUri().toString())
                    .withDonjon(
                            Optional.of(donjonToml()),
                            List.of(brokerCertDer()),
                            Map.of("API_TOKEN", SEALED_SECRET.getBytes(StandardCharsets.UTF_8)));
            // its Steward CAs serve the guest's enrollment too (no steward here: a file:// package needs no fetch
            // certificate)
            ref = new PackageReference(
                    ref.spec(),
                    ref.wasmSha256(),
                    ref.token(),
                    ref.registryCas(),
                    ref.steward(),
                    List.of(Base64.getMimeDecoder().decode(stewardTlsPem.replaceAll("-----[A-Z ]+-----", ""))),
                    ref.tagKeys(),
                    ref.donjonToml(),
                    ref.secretsCas(),
                    ref.secrets(),
                    ref.args());
            fromReference = deployReference(ref, proxy);
            wire = proxy.recorded();
        }
        assertTrue(fromPackage.startsWith("env DB_PASSWORD=" + BROKER_SECRET + "\n"), fromPackage);
        assertTrue(
                fromPackage.contains("file db.txt (" + BROKER_SECRET.length() + " bytes): " + BROKER_SECRET + "\n"),
                fromPackage);
        assertTrue(fromReference.contains("env API_TOKEN=" + SEALED_SECRET + "\n"), fromReference);
        assertTrue(fromReference.contains("env DB_PASSWORD=" + BROKER_SECRET + "\n"), fromReference);

        String host = tap.all() + '\u0100' + wire;
        assertTrue(
                tap.bytes(Tap.Channel.KEEP_IN).length > 0 && wire.contains("POST /v1/keeps"),
                "the recordings are real");
        for (String clear : new String[] {
            BROKER_SECRET,
            SEALED_SECRET,
            "DB_PASSWORD",
            "API_TOKEN",
            "db.txt",
            "[[secret]]",
            broker.keepsUri().toString()
        }) {
            assertFalse(host.contains(clear), "the host saw \"" + clear + "\" in clear");
        }
        String audit = OutputStreamHolder.audit.toString(StandardCharsets.UTF_8);
        assertFalse(audit.contains(BROKER_SECRET), audit);
        // the reference's Keep names the slug it came from beside the module's digest
        assertTrue(audit.contains("\"slug\":\"" + dir.resolve("published").toUri()), audit);
    }

    private static byte[] brokerCertDer() throws Exception {
        return Base64.getMimeDecoder().decode(brokerTlsPem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String deployReference(PackageReference ref, RecordingProxy proxy) throws Exception {
        return deploy(ref, proxy);
    }

    @Test
    void aKeepRunningAnotherModuleIsRefusedByTheBroker() throws Exception {
        DeployException e = assertThrows(
                DeployException.class,
                () -> new Deployer(
                                Deployer.Options.to(agent.baseUri()),
                                TrustOptions.insecure(Optional.of(simChain)),
                                Deployer.Progress.SILENT)
                        .deploy(
                                PackageLoader.load(packageDir("other", "examples/hello/hello.wasm")),
                                new ByteArrayOutputStream(),
                                new ByteArrayOutputStream()));
        assertTrue(
                e.getMessage()
                        .contains(
                                "refused secret 'db' (HTTP 403): secret 'db' is not released to this Keep: the Keep's workload sha-256:"),
                e.getMessage());
    }

    @Test
    void aDonjonTomlThatDoesNotParseIsRefusedBeforeAnythingIsSent() throws Exception {
        Path p = packageDir("bad", "examples/secrets/show-secrets.wasm");
        Files.writeString(p.resolve("Donjon.toml"), "[secrets]\nbrokr = \"https://x\"\n");
        var e = assertThrows(dev.donjon.host.protocol.ProtocolException.class, () -> PackageLoader.load(p));
        assertEquals("Donjon.toml: unknown key secrets.brokr (expected broker, dir)", e.getMessage());
        // a Keep that predates Donjon.toml would refuse the archive rather than run without its secrets
        WorkloadPackage pkg = PackageLoader.load(packageDir("fine", "examples/secrets/show-secrets.wasm"));
        assertTrue(pkg.toString().contains("Donjon.toml, secrets-ca.pem"), pkg.toString());
    }
}
