package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.platform.sim.SimAuthority;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records every byte the host sees — the agent's HTTP bodies and Keep pipes through its tap, and the raw TCP
 * between client and agent through a relay — during a deployment to an attested sim Keep, and checks that the workload's module, its Enarx.toml, a planted secret
 * and the guest's output appear nowhere in clear, although the guest really ran with all of them.
 */
class HostLearnsNothingTest {
    private static final String SECRET = "planted-secret-7f3a9c01e5b24d68";
    private static final String TOML = """
            # config-marker-5d1e: the host must never read this file
            args = ["--arg-marker-c4b2"]
            env = { EXIT_CODE = "5", CONFIG_MARKER = "env-marker-a9e7" }
            """;

    @TempDir
    Path simDir;

    @Test
    void workloadConfigSecretAndOutputNeverCrossTheHostInClear() throws Exception {
        RecordingTap tap = new RecordingTap();
        HostAgent.Config config = HostAgent.Config.defaults(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sim")
                .withTap(tap)
                .withLauncher(KeepLauncher.sameJvm().withEnvironment(Map.of("DONJON_SIM_DIR", simDir.toString())));
        WorkloadPackage pkg = Workloads.showEnv(TOML, Map.of("API_TOKEN", SECRET));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        String wire;
        try (HostAgent agent = HostAgent.start(config);
                RecordingProxy proxy = new RecordingProxy(agent.baseUri())) {
            TrustOptions trust =
                    TrustOptions.insecure(Optional.of(SimAuthority.load(simDir).chainPem()));
            code = new Deployer(Deployer.Options.to(proxy.uri()), trust, Deployer.Progress.SILENT)
                    .deploy(pkg, out, new ByteArrayOutputStream());
            wire = proxy.recorded();
        }
        // the guest really had everything: config, args, secret, and its output reached the client
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(5, code);
        assertTrue(printed.contains("env=API_TOKEN=" + SECRET), printed);
        assertTrue(printed.contains("argv[1]=--arg-marker-c4b2"), printed);
        assertTrue(printed.contains("env=CONFIG_MARKER=env-marker-a9e7"), printed);

        String host = tap.all() + '\u0100' + wire;
        // the recordings are real: the sealed package (at least as large as the module) went to the Keep and back out
        assertTrue(tap.bytes(Tap.Channel.KEEP_IN).length > pkg.wasm().length, "the tap saw the package go to the Keep");
        assertTrue(
                tap.bytes(Tap.Channel.CLIENT_IN).length > pkg.wasm().length,
                "the tap saw the package come from the client");
        assertTrue(wire.contains("POST /v1/keeps"), "the relay saw the HTTP traffic");

        for (String clear : new String[] {
            SECRET,
            "config-marker-5d1e",
            "arg-marker-c4b2",
            "env-marker-a9e7",
            "CONFIG_MARKER",
            "API_TOKEN",
            "env=",
            "argv[0]",
            TOML
        }) {
            assertTrue(!host.contains(clear), "the host saw \"" + clear.strip() + "\" in clear");
        }
        // no 24-byte window of the module, at any of its offsets, appears anywhere
        String module = new String(pkg.wasm(), StandardCharsets.ISO_8859_1);
        for (int i = 0; i + 24 <= module.length(); i += 8) {
            String window = module.substring(i, i + 24);
            if (window.chars().distinct().count() < 4) continue; // runs of zeros etc. occur in any binary
            assertTrue(!host.contains(window), "the host saw module bytes at offset " + i + " in clear");
        }
    }
}
