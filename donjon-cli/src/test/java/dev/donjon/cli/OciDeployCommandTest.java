package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.agent.HostAgent;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.testing.LocalOciRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon deploy oci://...} end to end: a package pushed as an OCI artifact to Debian's docker-registry on
 * loopback, deployed through the CLI to a Keep of an in-process host agent (nil backend), which pulls the artifact
 * itself and verifies every layer. The registry is a real one: {@link LocalOciRegistry} installs it if missing and
 * fails (never skips) when it cannot.
 */
@Timeout(120)
class OciDeployCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static LocalOciRegistry registry;
    private static HostAgent agent;
    private static byte[] showEnv;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalOciRegistry.start(dir);
        agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
        showEnv = Files.readAllBytes(ROOT.resolve("donjon-keep/src/test/resources/wasm/show_env.wasm"));
        // the Enarx.toml layer reaches the guest as its environment, and its exit code becomes deploy's
        registry.push(
                "donjon/show-env",
                "v1",
                showEnv,
                "env = { GREETING = \"pulled-from-oci\", EXIT_CODE = \"7\" }\n".getBytes());
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (registry != null) registry.close();
    }

    private static RegistryCommandsTest.Run deploy(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "deploy";
        args[1] = "--host";
        args[2] = agent.baseUri().toString();
        args[3] = "--allow-insecure-backend";
        System.arraycopy(extra, 0, args, 4, extra.length);
        return RegistryCommandsTest.run(args);
    }

    /** The one line the CLI prints for a failed deploy: the last of stderr (progress lines come before it). */
    private static String errorLine(RegistryCommandsTest.Run r) {
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        return r.err().strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void deploysAnOciArtifactTheKeepPullsItself() {
        String sha = PackageReference.sha256Hex(showEnv);
        var r = deploy("--expect-wasm-sha256", sha, "oci://" + registry.authority() + "/donjon/show-env:v1");
        assertEquals(7, r.code(), r.err());
        assertTrue(r.out().contains("env=GREETING=pulled-from-oci\n"), r.out());
        assertTrue(r.out().startsWith("argv[0]=main.wasm\n"), r.out());
        assertTrue(r.err().contains("!! WARNING: INSECURE: this Keep runs on the nil backend"), r.err());
    }

    @Test
    void aWrongPinnedDigestIsRefusedInOneLineAndTheGuestNeverRuns() {
        String other = "ab".repeat(32);
        var r = deploy("--expect-wasm-sha256", other, "oci://" + registry.authority() + "/donjon/show-env:v1");
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        String line = errorLine(r);
        assertTrue(
                line.startsWith("donjon: ")
                        && line.contains("not the expected " + other)
                        && line.contains("refusing to run it"),
                r.err());
    }

    @Test
    void aMissingTagIsOneLineNamingIt() {
        var r = deploy("oci://" + registry.authority() + "/donjon/show-env:v9");
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        String line = errorLine(r);
        String ref = "oci://" + registry.authority() + "/donjon/show-env:v9";
        assertTrue(
                line.startsWith("donjon: ")
                        && line.contains("cannot fetch package " + ref
                                + ": not found (404): no such tag in repository donjon/show-env"),
                r.err());
        assertEquals(1, line.split(ref, -1).length - 1, "the reference is named once: " + line);

        // no tag at all means "latest", as container tools read it; the error shows the tag that was looked for
        var untagged = deploy("oci://" + registry.authority() + "/donjon/show-env");
        assertEquals(1, untagged.code(), untagged.err());
        assertEquals("", untagged.out());
        assertTrue(
                errorLine(untagged)
                        .contains("oci://" + registry.authority()
                                + "/donjon/show-env:latest: not found (404): no such tag"),
                untagged.err());
    }
}
