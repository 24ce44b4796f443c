package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.cli.DrawbridgeServeTest.Issued;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.host.agent.KeepLauncher;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimAuthority;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon deploy --steward URL --steward-ca PEM user/repo:tag} end to end, every server started as a user
 * would start it except the host agent: {@code donjon steward serve} over HTTPS with a given CA and a [sim] policy,
 * {@code donjon drawbridge serve} over TLS releasing private repositories only to clients certified by that Steward
 * CA ({@code --client-ca}), the package published privately with {@code donjon package publish}, and an in-process
 * host agent whose sim Keeps (separate processes) use a temporary sim directory. The Keep enrolls with the Steward
 * named in the sealed reference, then fetches with the issued certificate.
 */
@Timeout(180)
class StewardDeployCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();
    private static final String TOKEN = "steward-deploy-token-0123456789";

    @TempDir
    static Path simDir;

    @TempDir
    static Path dir;

    private static HostAgent agent;
    private static Served steward;
    private static Served registry;
    private static String stewardUrl;
    private static String registryUrl;

    @BeforeAll
    static void start() throws Exception {
        agent = HostAgent.start(HostAgent.Config.defaults(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                .withLauncher(KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString()))));
        Files.write(dir.resolve("sim-chain.pem"), SimAuthority.load(simDir).chainPem());

        // three separate authorities, so each option is seen to do its own job
        Issued keepCa = DrawbridgeServeTest.issue("Steward CA", null, true);
        Issued stewardTlsCa = DrawbridgeServeTest.issue("Steward TLS CA", null, true);
        Issued registryTlsCa = DrawbridgeServeTest.issue("Registry TLS CA", null, true);
        Issued stewardServer = DrawbridgeServeTest.issue("steward", stewardTlsCa, false);
        Issued registryServer = DrawbridgeServeTest.issue("registry", registryTlsCa, false);
        DrawbridgeServeTest.pem(dir.resolve("keep-ca.pem"), keepCa.cert());
        privateKey(dir.resolve("keep-ca.key"), keepCa);
        DrawbridgeServeTest.pem(dir.resolve("steward-tls-ca.pem"), stewardTlsCa.cert());
        DrawbridgeServeTest.pem(dir.resolve("steward-server.pem"), stewardServer.cert(), stewardTlsCa.cert());
        privateKey(dir.resolve("steward-server.key"), stewardServer);
        DrawbridgeServeTest.pem(dir.resolve("registry-tls-ca.pem"), registryTlsCa.cert());
        DrawbridgeServeTest.pem(dir.resolve("registry-server.pem"), registryServer.cert(), registryTlsCa.cert());
        privateKey(dir.resolve("registry-server.key"), registryServer);
        Files.writeString(dir.resolve("tokens"), TOKEN + " owner-sub manage\n");
        // the Steward certifies a sim Keep whose runtime measures as this build's Keeps do
        Files.writeString(
                dir.resolve("policy.toml"),
                "[sim]\nchain = \"sim-chain.pem\"\nhash = [\""
                        + HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess()) + "\"]\n");

        steward = Served.start(
                "steward: serving on ",
                "steward",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--policy",
                dir.resolve("policy.toml").toString(),
                "--ca-cert",
                dir.resolve("keep-ca.pem").toString(),
                "--ca-key",
                dir.resolve("keep-ca.key").toString(),
                "--tls-cert",
                dir.resolve("steward-server.pem").toString(),
                "--tls-key",
                dir.resolve("steward-server.key").toString());
        assertTrue(steward.line() != null, "steward serve did not start: " + steward.err());
        stewardUrl = steward.line().substring("steward: serving on ".length()).split(" ")[0];
        registry = Served.start(
                "drawbridge: serving ",
                "drawbridge",
                "serve",
                "--store",
                dir.resolve("store").toString(),
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                dir.resolve("registry-server.pem").toString(),
                "--tls-key",
                dir.resolve("registry-server.key").toString(),
                "--client-ca",
                dir.resolve("keep-ca.pem").toString(),
                "--tokens",
                dir.resolve("tokens").toString());
        assertTrue(registry.line() != null, "drawbridge serve did not start: " + registry.err());
        String line = registry.line();
        registryUrl = line.substring(line.indexOf("https://"), line.indexOf("/api/"));

        String hello = ROOT.resolve("examples/hello/hello.wasm").toString();
        String[] asOwner = {
            "--registry",
            registryUrl,
            "--token",
            TOKEN,
            "--ca-cert",
            dir.resolve("registry-tls-ca.pem").toString()
        };
        for (String[] command : List.of(
                new String[] {"user", "register", "owner", "--subject", "owner-sub"},
                new String[] {"repo", "register", "owner/hello"}, // private: no --public
                new String[] {"package", "publish", "owner/hello:1.0.0", hello})) {
            var r = RegistryCommandsTest.run(concat(command, asOwner));
            assertEquals(0, r.code(), String.join(" ", command) + ": " + r.err());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (steward != null) steward.close();
        if (registry != null) registry.close();
    }

    private static void privateKey(Path file, Issued issued) throws Exception {
        Files.writeString(
                file,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(issued.keys().getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** {@code donjon deploy} of the private package to a sim Keep, with these extra options. */
    private static RegistryCommandsTest.Run deploy(String... extra) {
        String[] base = {
            "deploy",
            "--host",
            agent.baseUri().toString(),
            "--allow-insecure-backend",
            "--sim-chain",
            dir.resolve("sim-chain.pem").toString(),
            "--registry",
            registryUrl,
            "--ca-cert",
            dir.resolve("registry-tls-ca.pem").toString()
        };
        return RegistryCommandsTest.run(concat(concat(base, extra), "owner/hello:1.0.0"));
    }

    private static String errorLine(RegistryCommandsTest.Run r) {
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        return r.err().strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void theKeepEnrollsWithTheStewardAndFetchesThePrivatePackage() {
        var r = deploy(
                "--steward",
                stewardUrl,
                "--steward-ca",
                dir.resolve("steward-tls-ca.pem").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("Hello, world!\n", r.out());
        assertTrue(r.err().contains("snp (SIMULATED) evidence verified"), r.err());
    }

    @Test
    void withoutTheStewardTheRegistryRefusesThePrivateFetch() {
        var r = deploy();
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        String line = errorLine(r);
        // the Keep is sent the tag's full URL (it has no --registry of its own)
        String tag = registryUrl + "/api/v0.1.0/owner/hello/_tag/1.0.0";
        assertTrue(
                line.startsWith("donjon: the workload failed in Keep ")
                        && line.contains("cannot fetch package " + tag)
                        && line.contains("(404): repository 'owner/hello' not found"),
                r.err()); // private: answered as if missing
    }

    @Test
    void aStewardWhoseTlsTheKeepCannotVerifyIsNamedAndNothingIsFetched() {
        var r = deploy(
                "--steward", stewardUrl); // no --steward-ca: the Steward's TLS chains to a CA the JDK does not know
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(errorLine(r).contains("cannot enroll with the Steward at " + stewardUrl), r.err());
    }
}
