package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What an operator prepares before starting Donjon's services, as files in one directory that the containers mount
 * read-only at {@code /etc/donjon} (and the sim chain, writable, at {@code /sim}): a TLS CA and a server certificate
 * per service, the Steward's issuing CA (its key is what Kubernetes keeps in a Secret), the registry's and the agent's
 * token files, a [sim] policy for the Steward, and the ROT13 package to publish. Readable by the images' user
 * (10001): this is a test directory, its keys are throw-away.
 */
final class OperatorKit {
    static final String TOKEN = "alice-token-0123456789abcdef";
    static final String AGENT_TOKEN = "agent-token-0123456789abcdef";

    final Path dir;
    final Path sim;
    final Path store;
    final TestPki.Issued tlsCa;

    OperatorKit(Path dir, List<String> serverNames) throws IOException {
        this.dir = dir.resolve("etc");
        this.sim = dir.resolve("sim");
        this.store = dir.resolve("store");
        Files.createDirectories(this.dir.resolve("pkg"));
        Files.createDirectories(sim);
        Files.createDirectories(store);
        tlsCa = TestPki.ca("Donjon test TLS CA");
        TestPki.writePem(this.dir.resolve("tls-ca.pem"), tlsCa.cert());
        for (String service : List.of("steward", "drawbridge", "agent"))
            TestPki.server(tlsCa, service, serverNames)
                    .write(this.dir.resolve(service + ".pem"), this.dir.resolve(service + ".key"));
        TestPki.Issued clientsCa = TestPki.ca("Donjon test operator CA"); // the agent's clients: certificates it issues
        TestPki.writePem(this.dir.resolve("clients-ca.pem"), clientsCa.cert());
        TestPki.client(clientsCa, "owner").write(this.dir.resolve("client.pem"), this.dir.resolve("client.key"));
        TestPki.Issued stewardCa = TestPki.ca("Donjon test Steward CA");
        stewardCa.write(this.dir.resolve("steward-ca.pem"), this.dir.resolve("steward-ca.key"));
        Files.writeString(
                this.dir.resolve("tokens"),
                TOKEN + " alice write:drawbridge_users write:drawbridge_repositories "
                        + "write:drawbridge_tags read:drawbridge_users read:drawbridge_repositories read:drawbridge_tags\n");
        Files.writeString(this.dir.resolve("token"), TOKEN + "\n");
        Files.writeString(this.dir.resolve("agent-tokens"), AGENT_TOKEN + " owner deploy\n");
        Files.writeString(this.dir.resolve("agent-token"), AGENT_TOKEN + "\n");
        Files.copy(Images.root().resolve("examples/rot13/rot13.wasm"), this.dir.resolve("pkg/main.wasm"));
        Files.copy(
                Images.root().resolve("donjon-keep/src/test/resources/wasm/copy_stdin.wasm"),
                this.dir.resolve("copy_stdin.wasm"));
    }

    /** The ROT13 package listens on {@code port} (all addresses); its Enarx.toml is written here. */
    void rot13Listens(int port) throws IOException {
        Files.writeString(dir.resolve("pkg/Enarx.toml"), """
                [[files]]
                kind = "stdin"
                [[files]]
                kind = "stdout"
                [[files]]
                kind = "stderr"
                [[files]]
                kind = "listen"
                prot = "tcp"
                name = "ROT13"
                port = %d
                """.formatted(port));
    }

    /** The Steward's policy: sim Keeps of this exact runtime (its measurement, as the image reports it), under the sim chain. */
    void simPolicy(String platformInfo) throws IOException {
        simPolicy(platformInfo, "/sim/sim-chain.pem");
    }

    /** policy.toml, naming the sim chain where the Steward will find it. */
    void simPolicy(String platformInfo, String chain) throws IOException {
        Matcher m = Pattern.compile("measurement: ([0-9a-f]{96})").matcher(platformInfo);
        assertTrue(m.find(), "no measurement in: " + platformInfo);
        String policy = """
                [sim]
                chain = "%s"
                hash = ["%s"]
                """.formatted(chain, m.group(1));
        Files.writeString(dir.resolve("policy.toml"), policy);
    }

    /** Everything readable by the containers' user; the sim and store directories writable. */
    void openToContainers() throws IOException {
        for (Path top : List.of(dir, sim, store)) {
            try (Stream<Path> all = Files.walk(top)) {
                for (Path p : all.toList())
                    Files.setPosixFilePermissions(
                            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
        for (Path up = dir.getParent();
                up != null
                        && up.startsWith(Path.of(System.getProperty("java.io.tmpdir")))
                        && !up.equals(Path.of(System.getProperty("java.io.tmpdir")));
                up = up.getParent()) Files.setPosixFilePermissions(up, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
