package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.config.EnarxConfig;
import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.wasi.GuestFailedException;
import dev.donjon.wasi.WasiLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code prot = "tls"}: the Keep terminates TLS 1.3 with its identity; the guest sees plaintext. */
@Timeout(120)
class TlsKeepTest {

    /** A client that accepts any server certificate and remembers it (the Keep's is self-signed: it proves nothing). */
    static final class Recording implements X509TrustManager {
        final ConcurrentLinkedQueue<X509Certificate> seen = new ConcurrentLinkedQueue<>();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            seen.add(chain[0]);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        SSLSocket connect(int port) throws Exception {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, new TrustManager[] {this}, null);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout(30_000);
            return s;
        }
    }

    @Test
    void echoOverTlsWithTheSelfSignedLocalhostIdentity() throws Exception {
        byte[] echo = TestKeeps.file(TestKeeps.root().resolve("examples/echo/echo.wasm"));
        Recording client = new Recording();
        try (var server = ExampleServersTest.Server.start(echo, TestKeeps.listenerConfig("ECHO", "tls"));
                var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String line = "secret line " + i + "\n";
                replies.add(threads.submit(() -> {
                    try (SSLSocket s = client.connect(server.keep().port())) {
                        s.getOutputStream().write(line.getBytes(StandardCharsets.UTF_8));
                        String reply = new String(s.getInputStream().readNBytes(line.length()), StandardCharsets.UTF_8);
                        return s.getSession().getProtocol() + " " + reply;
                    }
                }));
            }
            for (int i = 0; i < 40; i++)
                assertEquals("TLSv1.3 secret line " + i + "\n", replies.get(i).get());
        }
        assertEquals(1, client.seen.stream().distinct().count(), "one identity per Keep");
        assertEquals(
                "CN=localhost", client.seen.peek().getSubjectX500Principal().getName());
    }

    /** Enarx's prebuilt echo server with its own Enarx.toml (prot = "tls"), only moved to a free loopback port. */
    @Test
    void enarxEchoServerWithItsOwnTlsConfig() throws Exception {
        Path dir = TestKeeps.shared().resolve("wasm/echo_server");
        String toml =
                Files.readString(dir.resolve("Enarx.toml")).replace("port = 9000", "port = 0\naddr = \"127.0.0.1\"");
        assertTrue(toml.contains("prot = \"tls\""), toml);
        Recording client = new Recording();
        try (var server =
                ExampleServersTest.Server.start(TestKeeps.file(dir.resolve("main.wasm")), EnarxConfig.parse(toml))) {
            for (String text : List.of("over tls", "again, after a clean close")) {
                try (SSLSocket s = client.connect(server.keep().port())) {
                    InputStream in = s.getInputStream();
                    assertEquals("Hello world!\n", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
                    s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
                    assertEquals(text + "\n", new String(in.readNBytes(text.length() + 1), StandardCharsets.US_ASCII));
                    server.awaitOutput("Received data: " + text);
                }
            }
        }
    }

    /** A TLS server on loopback with a CN=localhost certificate of its own; records what the client sent. */
    record Peer(SSLServerSocket socket, X509Certificate cert, CompletableFuture<String> received)
            implements AutoCloseable {
        static Peer start() throws Exception {
            KeyPair key = KeepIdentity.newKeyPair(Backend.NIL);
            X509Certificate cert = dev.donjon.platform.identity.SelfSignedIdentity.localhost(key, Clock.systemUTC());
            SSLContext ctx = Tls.context(key.getPrivate(), List.of(cert), Optional.empty());
            SSLServerSocket socket = (SSLServerSocket)
                    ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) socket.accept()) {
                    s.setSoTimeout(30_000);
                    String line = new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    s.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    return line;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return new Peer(socket, cert, received);
        }

        EnarxConfig connectConfig() {
            return TestKeeps.afterStdio("[[files]]\nkind = \"connect\"\nprot = \"tls\"\nhost = \"localhost\"\nport = "
                    + socket.getLocalPort() + "\n");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void tlsConnectReachesAPeerItsTrustAnchorsAccept() throws Exception {
        try (Peer peer = Peer.start()) {
            KeyPair keepKey = KeepIdentity.newKeyPair(Backend.NIL);
            IdentityProvider trustingPeer = steward -> {
                try {
                    X509Certificate keepCert =
                            dev.donjon.platform.identity.SelfSignedIdentity.localhost(keepKey, Clock.systemUTC());
                    return Tls.context(keepKey.getPrivate(), List.of(keepCert), Optional.of(List.of(peer.cert())));
                } catch (PlatformException e) {
                    throw new KeepException(e.getMessage(), e);
                }
            };
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            try (Keep keep = Keep.open(
                    Workload.of(TestKeeps.testModule("connect_send.wasm")).withConfig(peer.connectConfig()),
                    new Stdio(InputStream.nullInputStream(), out, err),
                    WasiLimits.defaults(),
                    trustingPeer)) {
                assertEquals(0, keep.run(), err.toString());
            }
            assertEquals("ping\n", peer.received().get());
            assertEquals("pong\n", out.toString(StandardCharsets.US_ASCII));
        }
    }

    /** By default a Keep trusts the JDK's anchors: a self-signed peer is refused and gets nothing. */
    @Test
    void tlsConnectRefusesAnUntrustedPeer() throws Exception {
        try (Peer peer = Peer.start()) {
            var k = TestKeeps.open(
                    TestKeeps.testModule("connect_send.wasm"), Optional.of(peer.connectConfig()), List.of(), List.of());
            int exit;
            try {
                exit = k.keep().start().await(Duration.ofSeconds(30)).orElseThrow();
            } catch (GuestFailedException e) {
                exit = -1; // refused before or while the guest ran: either way, it failed
            }
            assertNotEquals(0, exit, k.stdout() + k.stderr());
            assertEquals("", k.stdout());
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> peer.received().get());
            assertTrue(e.getCause().getCause() instanceof javax.net.ssl.SSLException, String.valueOf(e.getCause()));
        }
    }
}
