package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.server.Authenticator;
import dev.donjon.server.TokenFile;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon deploy --tag-key}: a tag published with {@code package publish --sign-key} runs only when its signer's
 * public key was given; the Keep (nil backend, in-process host agent) refuses another key's tag and an unsigned one.
 */
class TagKeyDeployCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();
    private static HostAgent agent;

    @BeforeAll
    static void start() throws Exception {
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static RegistryCommandsTest.Run run(String... args) {
        return RegistryCommandsTest.run(args);
    }

    private static KeyPair ecKeys(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    /** A public key as SubjectPublicKeyInfo PEM, a private key as PKCS#8 PEM (what {@code openssl genpkey} writes). */
    private static Path pem(Path file, Key key) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(key instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : key);
        }
        return Files.writeString(file, w.toString());
    }

    /** Deploys {@code slug} from {@code reg} with {@code extra} options before it. */
    private static RegistryCommandsTest.Run deploy(String reg, String slug, String... extra) {
        String[] head = {"deploy", "--host", agent.baseUri().toString(), "--allow-insecure-backend", "--registry", reg};
        String[] args = new String[head.length + extra.length + 1];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(extra, 0, args, head.length, extra.length);
        args[args.length - 1] = slug;
        return run(args);
    }

    private static String lastLine(String err) {
        return err.strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void onlyATagSignedByAGivenKeyRuns(@TempDir Path dir) throws Exception {
        KeyPair publisher = ecKeys("secp256r1"), stranger = ecKeys("secp384r1");
        Path signKey = pem(dir.resolve("publisher.key"), publisher.getPrivate());
        Path publisherPub = pem(dir.resolve("publisher.pub"), publisher.getPublic());
        Path strangerPub = pem(dir.resolve("stranger.pub"), stranger.getPublic());
        Path tokens = Files.writeString(dir.resolve("tokens"), RegistryCommandsTest.TOKEN + " dev-subject manage\n");
        String hello = ROOT.resolve("examples/hello/hello.wasm").toString();
        try (var server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1 << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(),
                false,
                new Authenticator(Optional.of(TokenFile.load(tokens)), Optional.empty(), false)))) {
            String reg = server.baseUri().toString();
            String token = RegistryCommandsTest.TOKEN;
            assertEquals(
                    0,
                    run("user", "register", "dev", "--subject", "dev-subject", "--registry", reg, "--token", token)
                            .code());
            assertEquals(
                    0,
                    run("repo", "register", "dev/hello", "--public", "--registry", reg, "--token", token)
                            .code());
            var signed = run(
                    "package",
                    "publish",
                    "dev/hello:1.0.0",
                    hello,
                    "--sign-key",
                    signKey.toString(),
                    "--registry",
                    reg,
                    "--token",
                    token);
            assertEquals(0, signed.code(), signed.err());
            assertEquals(
                    0,
                    run("package", "publish", "dev/hello:1.0.1", hello, "--registry", reg, "--token", token)
                            .code());

            // the publisher's key, alone or among others: the Keep fetches, verifies the tag and runs it
            var ok = deploy(reg, "dev/hello:1.0.0", "--tag-key", publisherPub.toString());
            assertEquals(0, ok.code(), ok.err());
            assertEquals("Hello, world!\n", ok.out());
            var either = deploy(
                    reg, "dev/hello:1.0.0", "--tag-key", strangerPub.toString(), "--tag-key", publisherPub.toString());
            assertEquals(0, either.code(), either.err());
            assertEquals("Hello, world!\n", either.out());

            var other = deploy(reg, "dev/hello:1.0.0", "--tag-key", strangerPub.toString());
            assertEquals(1, other.code());
            assertEquals("", other.out());
            assertTrue(
                    lastLine(other.err()).startsWith("donjon: the workload failed in Keep")
                            && lastLine(other.err())
                                    .endsWith("tag 1.0.0 is signed by another key ("
                                            + SignedTag.keyId((ECPublicKey) publisher.getPublic())
                                            + "), not by the required key "
                                            + SignedTag.keyId((ECPublicKey) stranger.getPublic())),
                    other.err());

            var unsigned = deploy(reg, "dev/hello:1.0.1", "--tag-key", publisherPub.toString());
            assertEquals(1, unsigned.code());
            assertEquals("", unsigned.out());
            assertTrue(
                    lastLine(unsigned.err()).endsWith("tag 1.0.1 is unsigned, and a signed tag is required"),
                    unsigned.err());

            // without --tag-key nothing is required, signed or not (as before)
            var any = deploy(reg, "dev/hello:1.0.1");
            assertEquals(0, any.code(), any.err());
            assertEquals("Hello, world!\n", any.out());
        }
    }

    @Test
    void tagKeyIsAUsageErrorWhereNoTagSignatureCanBeChecked(@TempDir Path dir) throws Exception {
        Path pub = pem(dir.resolve("publisher.pub"), ecKeys("secp256r1").getPublic());
        String hello = ROOT.resolve("examples/hello/hello.wasm").toString();
        String host = agent.baseUri().toString();

        var file = run(
                "deploy",
                "--host",
                host,
                "--allow-insecure-backend",
                "--tag-key",
                pub.toString(),
                Path.of(hello).toUri().toString());
        assertEquals(2, file.code());
        assertEquals(
                "donjon: --tag-key applies to Drawbridge tags ([host/]user/repo:tag or a tag URL), not to file:// packages, which carry no tag signature",
                file.err().strip());
        var oci = run(
                "deploy",
                "--host",
                host,
                "--allow-insecure-backend",
                "--tag-key",
                pub.toString(),
                "oci://127.0.0.1:5000/hello:1.0.0");
        assertEquals(2, oci.code());
        assertEquals(
                "donjon: --tag-key applies to Drawbridge tags ([host/]user/repo:tag or a tag URL), not to oci:// packages, which carry no tag signature",
                oci.err().strip());
        var local = run("deploy", "--host", host, "--allow-insecure-backend", "--tag-key", pub.toString(), hello);
        assertEquals(2, local.code());
        assertTrue(
                local.err().strip().startsWith("donjon: ")
                        && local.err().contains("--tag-key apply to a registry PACKAGE only")
                        && local.err().strip().lines().count() == 1,
                local.err());

        String slug = "dev/hello:1.0.0";
        var missing = run(
                "deploy",
                "--host",
                host,
                "--registry",
                "http://127.0.0.1:1",
                "--tag-key",
                dir.resolve("nope.pem").toString(),
                slug);
        assertEquals(2, missing.code());
        assertEquals(
                "donjon: --tag-key " + dir.resolve("nope.pem") + ": no such file",
                missing.err().strip());
        Path privateOnly = pem(dir.resolve("private.pem"), ecKeys("secp256r1").getPrivate());
        var notPublic = run(
                "deploy",
                "--host",
                host,
                "--registry",
                "http://127.0.0.1:1",
                "--tag-key",
                privateOnly.toString(),
                slug);
        assertEquals(2, notPublic.code());
        assertEquals(
                "donjon: --tag-key " + privateOnly + " holds no PEM public key or certificate",
                notPublic.err().strip());
        Path p521 = pem(dir.resolve("p521.pub"), ecKeys("secp521r1").getPublic());
        var curve =
                run("deploy", "--host", host, "--registry", "http://127.0.0.1:1", "--tag-key", p521.toString(), slug);
        assertEquals(2, curve.code());
        assertEquals(
                "donjon: --tag-key " + p521 + " is an EC key on a curve other than P-256 or P-384",
                curve.err().strip());
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaPub = pem(dir.resolve("rsa.pub"), rsa.generateKeyPair().getPublic());
        var notEc =
                run("deploy", "--host", host, "--registry", "http://127.0.0.1:1", "--tag-key", rsaPub.toString(), slug);
        assertEquals(2, notEc.code());
        assertEquals(
                "donjon: --tag-key " + rsaPub + " is not an EC public key",
                notEc.err().strip());
    }
}
