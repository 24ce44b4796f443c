package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.keep.AddressRange;
import dev.donjon.keep.ConnectPolicy;
import dev.donjon.keep.NetworkPolicy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §2, the attack: a deployed guest whose {@code connect} file names a service on the host's loopback (it read
 * Drawbridge's tag list). Refused by default; reachable only when the operator allows it.
 */
class GuestNetworkTest extends OneAgent {
    private static WorkloadPackage connectTo(int port) throws Exception {
        byte[] toml = Workloads.withStdio("", """
                [[files]]
                kind = "connect"
                prot = "tcp"
                host = "127.0.0.1"
                port = %d
                name = "DRAWBRIDGE"
                """.formatted(port));
        return new WorkloadPackage(
                Workloads.file("donjon-keep/src/test/resources/wasm/connect_send.wasm"), Optional.of(toml), Map.of());
    }

    /** A loopback service that answers with its secret and counts its visitors. */
    private static ServerSocket loopbackService(AtomicInteger visitors) throws Exception {
        ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    visitors.incrementAndGet();
                    c.getInputStream().readNBytes(5);
                    c.getOutputStream().write("tags: secret-1.0\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // closed
                }
            }
        });
        return s;
    }

    private String deploy(WorkloadPackage pkg) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Deployer(Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT)
                .deploy(pkg, out, OutputStream.nullOutputStream());
        assertEquals(0, code);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aGuestCannotReachTheHostsLoopbackByDefault() throws Exception {
        AtomicInteger visitors = new AtomicInteger();
        try (ServerSocket service = loopbackService(visitors)) {
            start(nil());
            DeployException e = assertThrows(DeployException.class, () -> deploy(connectTo(service.getLocalPort())));
            assertTrue(
                    e.getMessage()
                            .contains("connect \"DRAWBRIDGE\": 127.0.0.1:" + service.getLocalPort()
                                    + " is refused by this host's network policy"),
                    e.getMessage());
            assertEquals(0, visitors.get(), "the loopback service saw no connection");
        }
    }

    @Test
    void theOperatorCanLetGuestsReachLoopback() throws Exception {
        AtomicInteger visitors = new AtomicInteger();
        try (ServerSocket service = loopbackService(visitors)) {
            start(nil().withNetwork(new NetworkPolicy(
                    new ConnectPolicy.Only(List.of(AddressRange.parse("127.0.0.0/8"))), Optional.empty())));
            assertEquals("tags: secret-1.0\n", deploy(connectTo(service.getLocalPort())));
            assertEquals(1, visitors.get());
        }
    }
}
