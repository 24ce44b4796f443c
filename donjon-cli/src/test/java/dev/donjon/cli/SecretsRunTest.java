package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.platform.Backend;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.SelfSignedIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimPlatform;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.StewardServer;
import dev.donjon.steward.TrustAnchors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret broker end to end, as users run it: {@code donjon secrets keygen|token|serve|put|list}, a Steward with a
 * [sim] policy, and {@code donjon run --backend sim} in its own JVM. The sim Keep running the module the secret's
 * policy names receives it (as an environment variable and as a file of its in-memory directory); the same Keep running
 * another module gets 403 and its guest never starts; every decision is in the audit log, no value is.
 */
@Timeout(300)
class SecretsRunTest {

    static final Path ROOT = Path.of(System.getProperty("donjon.root", ".."));
    static final Path SHOW = ROOT.resolve("examples/secrets/show-secrets.wasm").toAbsolutePath();
    static final Path HELLO = ROOT.resolve("examples/hello/hello.wasm").toAbsolutePath();
    static final String VALUE = "hunter2";

    @TempDir
    static Path dir;

    private static SimPlatform sim;
    private static StewardServer steward;
    private static Served broker;
    private static Path stewardTls;
    private static Path brokerTls;
    private static URI keepsUrl;
    private static URI operatorUrl;

    @BeforeAll
    static void start() throws Exception {
        Clock clock = Clock.systemUTC();
        sim = new SimPlatform(dir.resolve("sim"), clock);
        Files.write(dir.resolve("sim-chain.pem"), sim.authority().chainPem());
        CertificateAuthority ca = CertificateAuthority.generate(clock.instant());
        Steward s = new Steward(new Steward.Config(
                ca,
                StewardPolicy.parse(StewardEnrollmentTest.simPolicy(RuntimeMeasurement.ofThisProcess()), dir),
                TrustAnchors.bundled(),
                clock,
                Duration.ofDays(1),
                List.of("localhost")));
        KeyPair stewardKey = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate stewardCert = SelfSignedIdentity.localhost(stewardKey, clock);
        stewardTls = StewardEnrollmentTest.pem(dir.resolve("steward-tls.pem"), stewardCert);
        SSLContext tls = Tls.context(stewardKey.getPrivate(), List.of(stewardCert), Optional.empty());
        steward = StewardServer.start(new StewardServer.Config(
                s, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.of(tls)));
        Path stewardCa = StewardEnrollmentTest.pem(dir.resolve("steward-ca.pem"), ca.certificate());

        KeyPair brokerKey = KeepIdentity.newKeyPair(Backend.NIL);
        brokerTls =
                StewardEnrollmentTest.pem(dir.resolve("broker.pem"), SelfSignedIdentity.localhost(brokerKey, clock));
        Path brokerKeyFile = Files.writeString(
                dir.resolve("broker.key"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(brokerKey.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        assertEquals(
                0,
                AttestationCommandTest.run(
                                "secrets", "keygen", dir.resolve("master.key").toString())
                        .exit());
        assertEquals(
                0,
                AttestationCommandTest.run(
                                "secrets",
                                "token",
                                dir.resolve("operator.token").toString())
                        .exit());
        broker = Served.start(
                "secrets: Keeps on ",
                "secrets",
                "serve",
                "--master-key",
                dir.resolve("master.key").toString(),
                "--operator-token",
                dir.resolve("operator.token").toString(),
                "--steward-ca",
                stewardCa.toString(),
                "--tls-cert",
                brokerTls.toString(),
                "--tls-key",
                brokerKeyFile.toString(),
                "--store",
                dir.resolve("store").toString(),
                "--listen",
                "127.0.0.1:0",
                "--operator-listen",
                "127.0.0.1:0");
        assertTrue(broker.line() != null, broker.err());
        String[] urls = broker.line().substring("secrets: Keeps on ".length()).split(", operators on ");
        keepsUrl = URI.create(urls[0]);
        operatorUrl = URI.create(urls[1]);

        Path value = Files.writeString(dir.resolve("db.value"), VALUE);
        var put = AttestationCommandTest.run(
                "secrets",
                "put",
                "db",
                "--value-file",
                value.toString(),
                "--tee",
                "sim",
                "--module",
                SHOW.toString(),
                "--broker",
                operatorUrl.toString(),
                "--ca-cert",
                brokerTls.toString(),
                "--token-file",
                dir.resolve("operator.token").toString());
        assertEquals(0, put.exit(), put.err());
        assertTrue(
                put.out()
                        .startsWith("db: version 1, policy {\"tee\":[\"sim\"],\"workload_digest\":[\"sha-256:"
                                + sha256(SHOW)),
                put.out());
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) broker.close();
        if (steward != null) steward.close();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static Path enarxToml(boolean withSteward) throws Exception {
        return Files.writeString(
                dir.resolve(withSteward ? "Enarx.toml" : "NoSteward.toml"),
                (withSteward ? "steward = \"" + steward.baseUri() + "\"\n" : "")
                        + "[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"stderr\"\n");
    }

    /** {@code donjon run --backend sim} in its own JVM, with this test's sim directory. */
    private static RunCommandTest.Result run(Path module, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Donjon.class.getName(),
                "run",
                "--backend",
                "sim",
                "--steward-ca",
                stewardTls.toString()));
        cmd.addAll(List.of(options));
        cmd.add(module.toString());
        cmd.addAll(List.of("DB_PASSWORD", "db.txt"));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DONJON_SIM_DIR", sim.directory().toString());
        pb.environment().remove("ENARX_BACKEND");
        Process p = pb.start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        return new RunCommandTest.Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void theKeepRunningTheNamedModuleReceivesItsSecretAndAnotherModuleIsRefused() throws Exception {
        Path donjonToml = Files.writeString(
                dir.resolve("Donjon.toml"),
                "[secrets]\nbroker = \"" + keepsUrl + "\"\n"
                        + "[[secret]]\nname = \"db\"\nenv = \"DB_PASSWORD\"\nfile = \"db.txt\"\n");
        var ok = run(
                SHOW,
                "--wasmcfgfile",
                enarxToml(true).toString(),
                "--donjon-config",
                donjonToml.toString(),
                "--secrets-ca",
                brokerTls.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(
                ok.out()
                        .startsWith("env DB_PASSWORD=" + VALUE + "\nenv db.txt=(unset)\nfile db.txt (7 bytes): " + VALUE
                                + "\n" + "create /run/secrets/added: Read-only file system\n"),
                ok.out());
        assertTrue(ok.out().contains("openat db.txt (7 bytes): " + VALUE + "\n"), ok.out());
        assertFalse(ok.err().contains(VALUE), ok.err());

        // the same Keep (same runtime, same Steward) running another module: 403, and the guest never starts
        var refused = run(
                HELLO,
                "--wasmcfgfile",
                enarxToml(true).toString(),
                "--secrets-broker",
                keepsUrl.toString(),
                "--secrets-ca",
                brokerTls.toString(),
                "--secret",
                "db=env:DB_PASSWORD");
        StewardEnrollmentTest.refused(
                refused,
                "the secret broker at " + keepsUrl
                        + " refused secret 'db' (HTTP 403): secret 'db' is not released to this Keep: "
                        + "the Keep's workload sha-256:" + sha256(HELLO) + " is not one the policy allows");

        String audit = Files.readString(dir.resolve("store/audit.jsonl"));
        assertFalse(audit.contains(VALUE), audit);
        assertTrue(audit.contains("\"decision\":\"released\",\"status\":200,\"secret\":\"db\",\"version\":1"), audit);
        assertTrue(audit.contains("\"decision\":\"refused\",\"status\":403,\"secret\":\"db\""), audit);
        assertTrue(audit.contains("\"digest\":\"sha-256:" + sha256(HELLO) + "\""), audit);
        assertTrue(audit.contains("\"tee\":\"sim\""), audit);

        var list = AttestationCommandTest.run(
                "secrets",
                "list",
                "--broker",
                operatorUrl.toString(),
                "--ca-cert",
                brokerTls.toString(),
                "--token-file",
                dir.resolve("operator.token").toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().startsWith("db  version 1  updated "), list.out());
        assertFalse(list.out().contains(VALUE));
    }

    @Test
    void secretsNeedASteward() throws Exception {
        var r = run(
                SHOW,
                "--wasmcfgfile",
                enarxToml(false).toString(),
                "--secrets-broker",
                keepsUrl.toString(),
                "--secrets-ca",
                brokerTls.toString(),
                "--secret",
                "db=env:DB_PASSWORD");
        StewardEnrollmentTest.refused(r, "the workload names secrets, but its Enarx.toml has no steward");
    }

    @Test
    void operatorMistakesAreOneLine() throws Exception {
        var noPolicy = AttestationCommandTest.run(
                "secrets",
                "put",
                "x",
                "--value-file",
                dir.resolve("db.value").toString(),
                "--tee",
                "sim",
                "--broker",
                operatorUrl.toString(),
                "--ca-cert",
                brokerTls.toString(),
                "--token-file",
                dir.resolve("operator.token").toString());
        assertEquals(2, noPolicy.exit());
        assertEquals(
                "donjon: a policy must name the workload: a digest (sha-256:HEX) and/or a registry slug",
                noPolicy.err().strip());
        var noToken = AttestationCommandTest.run(
                "secrets", "list", "--broker", operatorUrl.toString(), "--ca-cert", brokerTls.toString());
        assertEquals(2, noToken.exit());
        var untrusted = AttestationCommandTest.run(
                "secrets",
                "list",
                "--broker",
                operatorUrl.toString(),
                "--token-file",
                dir.resolve("operator.token").toString());
        assertEquals(1, untrusted.exit());
        assertTrue(
                untrusted
                        .err()
                        .startsWith(
                                "donjon: cannot list the secrets: TLS with the broker at " + operatorUrl + " failed"),
                untrusted.err());
    }
}
