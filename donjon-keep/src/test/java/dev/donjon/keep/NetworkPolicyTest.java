package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.config.EnarxConfig;
import dev.donjon.platform.Backend;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.WasiLimits;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §2: what a deployed guest may reach. The guest's {@code connect} files are opened by the Keep, which checks the
 * address it actually connects to against the host's {@link NetworkPolicy}; a refused one stops the Keep before the
 * guest runs, and the target never sees a connection.
 */
class NetworkPolicyTest {
    private static final byte[] CONNECT_SEND = TestKeeps.testModule("connect_send.wasm");

    /** A TCP server that answers "pong\n" and counts who reached it. */
    private static final class Peer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();

        Peer(InetAddress bind) throws Exception {
            socket = new ServerSocket(0, 8, bind);
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        s.getInputStream().readNBytes(5);
                        s.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static EnarxConfig connectTo(String host, int port) {
        return TestKeeps.afterStdio(
                "[[files]]\nkind = \"connect\"\nprot = \"tcp\"\nhost = \"%s\"\nport = %d\nname = \"UP\"\n"
                        .formatted(host, port));
    }

    private static String run(EnarxConfig config, NetworkPolicy policy) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Keep keep = Keep.open(
                Workload.of(CONNECT_SEND).withConfig(config),
                new Stdio(InputStream.nullInputStream(), out, OutputStream.nullOutputStream()),
                WasiLimits.defaults(),
                SelfSignedIdentityTest.selfSigned(Backend.NIL),
                CompiledModuleCache.disabled(),
                policy)) {
            assertEquals(0, keep.run());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aConnectToLoopbackIsRefusedByDefaultAndTheServiceSeesNothing() throws Exception {
        try (Peer drawbridge = new Peer(InetAddress.getLoopbackAddress())) {
            for (String host : List.of("127.0.0.1", "localhost", "127.1.2.3")) {
                KeepException e = assertThrows(
                        KeepException.class,
                        () -> run(connectTo(host, drawbridge.port()), NetworkPolicy.notThisHost()));
                assertTrue(
                        e.getMessage().startsWith("connect \"UP\": " + host + ":" + drawbridge.port()), e.getMessage());
                assertTrue(e.getMessage().contains("refused by this host's network policy"), e.getMessage());
            }
            assertEquals(0, drawbridge.connections.get(), "nothing reached the loopback service");
        }
    }

    @Test
    void theOperatorCanAllowLoopbackAndDonjonRunAllowsEverything() throws Exception {
        try (Peer service = new Peer(InetAddress.getLoopbackAddress())) {
            NetworkPolicy allowLoopback = new NetworkPolicy(
                    new ConnectPolicy.Only(List.of(AddressRange.parse("127.0.0.0/8"))), Optional.empty());
            assertEquals("pong\n", run(connectTo("127.0.0.1", service.port()), allowLoopback));
            assertEquals("pong\n", run(connectTo("127.0.0.1", service.port()), NetworkPolicy.unrestricted()));
            // an allow-list allows only what it lists
            NetworkPolicy elsewhere = new NetworkPolicy(
                    new ConnectPolicy.Only(List.of(AddressRange.parse("192.0.2.0/24"))), Optional.empty());
            assertThrows(KeepException.class, () -> run(connectTo("127.0.0.1", service.port()), elsewhere));
            assertEquals(2, service.connections.get());
        }
    }

    @Test
    void thisHostsOwnAddressesAreRefusedToo() throws Exception {
        InetAddress own = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(own != null, "this machine has no non-loopback IPv4 address");
        try (Peer service = new Peer(InetAddress.getByName("0.0.0.0"))) {
            KeepException e = assertThrows(
                    KeepException.class,
                    () -> run(connectTo(own.getHostAddress(), service.port()), NetworkPolicy.notThisHost()));
            assertTrue(e.getMessage().contains("refused by this host's network policy"), e.getMessage());
            assertEquals(0, service.connections.get());
        }
    }

    @Test
    void theDeniedBlocksAreLoopbackLinkLocalUnspecifiedAndMulticast() throws Exception {
        ConnectPolicy p = new ConnectPolicy.NotThisHost();
        for (String a : List.of(
                "127.0.0.1",
                "127.255.0.9",
                "::1",
                "169.254.169.254",
                "fe80::1",
                "0.0.0.0",
                "0.1.2.3",
                "::",
                "224.0.0.1",
                "ff02::1",
                "::ffff:127.0.0.1")) {
            assertFalse(p.permits(InetAddress.getByName(a)), a);
        }
        for (String a : List.of("192.0.2.7", "8.8.8.8", "2001:db8::1", "10.1.2.3")) {
            assertTrue(p.permits(InetAddress.getByName(a)), a);
        }
    }

    @Test
    void addressRangesAndThePolicyArgumentRoundTrip() throws Exception {
        AddressRange r = AddressRange.parse("10.0.0.0/8");
        assertTrue(r.contains(InetAddress.getByName("10.255.1.2")));
        assertFalse(r.contains(InetAddress.getByName("11.0.0.1")));
        AddressRange v6 = AddressRange.parse("2001:db8::/33");
        assertTrue(v6.contains(InetAddress.getByName("2001:db8:7fff::1")));
        assertFalse(v6.contains(InetAddress.getByName("2001:db8:8000::1")));
        assertFalse(v6.contains(InetAddress.getByName("10.0.0.1")));
        assertTrue(AddressRange.parse("192.0.2.5").contains(InetAddress.getByName("192.0.2.5")));
        assertFalse(AddressRange.parse("192.0.2.5").contains(InetAddress.getByName("192.0.2.4")));
        assertTrue(AddressRange.parse("0.0.0.0/0").contains(InetAddress.getByName("127.0.0.1")));
        for (String bad : List.of("example.com", "10.0.0.0/33", "::/129", "10.0.0.0/x", "")) {
            assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(bad), bad);
        }
        for (ConnectPolicy p : List.of(
                new ConnectPolicy.Anywhere(),
                new ConnectPolicy.NotThisHost(),
                new ConnectPolicy.Only(List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("::1"))))) {
            assertEquals(p, ConnectPolicy.parse(p.argument()));
        }
        assertThrows(IllegalArgumentException.class, () -> ConnectPolicy.parse("everywhere"));
    }

    @Test
    void keepsListenOnlyWhereTheHostSays() throws Exception {
        NetworkPolicy loopbackOnly = NetworkPolicy.unrestricted().withListenAddress(InetAddress.getByName("127.0.0.1"));
        var streams = new Stdio(
                InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        // the wildcard (Enarx.toml's default addr) becomes the host's address
        EnarxConfig wildcard =
                EnarxConfig.parse("[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"L\"\nport = 0\n");
        try (Keep keep = Keep.open(
                Workload.of(CONNECT_SEND).withConfig(wildcard),
                streams,
                WasiLimits.defaults(),
                SelfSignedIdentityTest.selfSigned(Backend.NIL),
                CompiledModuleCache.disabled(),
                loopbackOnly)) {
            InetSocketAddress bound = keep.listening().getFirst().address();
            assertEquals(InetAddress.getByName("127.0.0.1"), bound.getAddress());
        }
        try (Keep keep = Keep.open(
                Workload.of(CONNECT_SEND).withConfig(wildcard),
                streams,
                WasiLimits.defaults(),
                SelfSignedIdentityTest.selfSigned(Backend.NIL),
                CompiledModuleCache.disabled(),
                NetworkPolicy.notThisHost())) {
            assertTrue(
                    keep.listening().getFirst().address().getAddress().isAnyLocalAddress(),
                    "without a listen address: as configured");
        }
        EnarxConfig other = EnarxConfig.parse(
                "[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"L\"\naddr = \"127.0.0.2\"\nport = 0\n");
        KeepException e = assertThrows(
                KeepException.class,
                () -> Keep.open(
                        Workload.of(CONNECT_SEND).withConfig(other),
                        streams,
                        WasiLimits.defaults(),
                        SelfSignedIdentityTest.selfSigned(Backend.NIL),
                        CompiledModuleCache.disabled(),
                        loopbackOnly));
        assertEquals(
                "listen \"L\": addr 127.0.0.2 is not allowed on this host, whose Keeps listen on 127.0.0.1 (leave addr out, or set it to that address)",
                e.getMessage());
    }
}
