package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Host-terminated TLS on Enarx-style sockets: the examples' echo and ROT13 servers (unchanged, plaintext
 * inside) behind a TLS 1.3 listener, JDK clients outside; and a guest that connects out through TLS to a
 * JDK server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsSocketsTest {
    private static final ConcurrentHashMap<String, WasiProgram> EXAMPLES = new ConcurrentHashMap<>();
    private static TestTls.Identity server;
    private static TestTls.Identity client;
    private static TestTls.Identity stranger;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestTls.selfSigned("donjon test server");
        client = TestTls.selfSigned("donjon test client");
        stranger = TestTls.selfSigned("someone else");
    }

    private static WasiProgram example(String name) {
        return EXAMPLES.computeIfAbsent(name, n -> {
            try {
                return WasiProgram.load(Files.readAllBytes(Path.of("..", "examples", n, n + ".wasm")));
            } catch (IOException e) {
                throw new IllegalStateException("example " + n + " not found", e);
            }
        });
    }

    /** An example server running with its Enarx.toml fd layout: stdio, then the listener as fd 3. */
    private record Server(GuestRun run, int port, ByteArrayOutputStream stderr) implements AutoCloseable {
        static Server start(String example, String fdName, SSLContext tls, boolean requireClientCertificate)
                throws IOException {
            ServerSocketChannel listener =
                    ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            GuestRun run = example(example)
                    .start(WasiOptions.builder()
                            .args(example + ".wasm")
                            .env("FD_COUNT", "4")
                            .env("FD_NAMES", "stdin:stdout:stderr:" + fdName)
                            .stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream(), err)
                            .fd(new FdSpec.Listener(
                                    listener, fdName, Optional.ofNullable(tls), requireClientCertificate))
                            .build());
            return new Server(run, port, err);
        }

        @Override
        public void close() throws InterruptedException {
            assertFalse(run.isDone(), "the server ended early: " + stderr);
            run.stop();
            assertThrows(GuestFailedException.class, run::await);
        }
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        return s;
    }

    private static SSLContext trustingServer() throws Exception {
        return TestTls.context(null, server.certificate());
    }

    private static String exchange(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void echoServesATlsClient() throws Exception {
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                SSLSocket s = connect(trustingServer(), echo.port())) {
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            assertEquals(server.certificate(), s.getSession().getPeerCertificates()[0]);
            assertEquals("hello over TLS", exchange(s, "hello over TLS"));
        }
    }

    /**
     * A handshake's expensive step (the engine's delegated task: key agreement, signing) runs off the guest's thread:
     * a client whose handshake is held there does not stop the Keep serving a connection already open (a flood of
     * handshakes would otherwise stall every established connection behind them).
     */
    @Test
    void aHeldHandshakeDoesNotStallAnOpenConnection() throws Exception {
        GatedHandshakeTls tls = new GatedHandshakeTls(TestTls.context(server));
        try (Server echo = Server.start("echo", "ECHO", tls.context(), false);
                SSLSocket open = connect(trustingServer(), echo.port())) {
            assertEquals("before", exchange(open, "before"));
            tls.arm();
            try (SSLSocket held = connect(trustingServer(), echo.port())) {
                CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
                    try {
                        held.startHandshake();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertTrue(tls.waiting.await(30, TimeUnit.SECONDS), "the held handshake never reached its task");
                open.setSoTimeout(10_000);
                assertEquals("while another handshake is held", exchange(open, "while another handshake is held"));
                tls.release();
                handshake.get(30, TimeUnit.SECONDS);
                assertEquals("after", exchange(held, "after"));
            } finally {
                tls.release();
            }
        }
    }

    @Test
    void manySmallExchangesOnOneConnection() throws Exception {
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                SSLSocket s = connect(trustingServer(), echo.port())) {
            byte[] msg = "0123456789abcdef0123456789abcdef0123456789abcdef012345678901234\n"
                    .getBytes(StandardCharsets.US_ASCII);
            // Each reply must come back without waiting for the next request: nothing may stay buffered.
            for (int i = 0; i < 300; i++) {
                s.getOutputStream().write(msg);
                assertArrayEquals(msg, s.getInputStream().readNBytes(msg.length), "exchange " + i);
            }
        }
    }

    @Test
    void anIdleConnectionStillWorksAfterGivingBackItsBuffers() throws Exception {
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                SSLSocket idle = connect(trustingServer(), echo.port());
                SSLSocket busy = connect(trustingServer(), echo.port())) {
            assertEquals("first", exchange(idle, "first"));
            // Every exchange on the busy connection is a poll round in which the idle one is waited on:
            // past 64 of them the idle connection drops its buffers (TlsConnection.beforeWait).
            for (int i = 0; i < 150; i++) assertEquals("busy " + i, exchange(busy, "busy " + i));
            byte[] big = new byte[100_000];
            new Random(3).nextBytes(big);
            idle.getOutputStream().write(big);
            assertArrayEquals(big, idle.getInputStream().readNBytes(big.length));
        }
    }

    @Test
    void echoReturnsAMegabyteIntact() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                SSLSocket s = connect(trustingServer(), echo.port())) {
            // Written while reading: neither side can buffer the whole megabyte, so this exercises backpressure.
            Future<?> writer = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                s.getOutputStream().write(data);
                s.getOutputStream().flush();
                return null;
            });
            byte[] back = s.getInputStream().readNBytes(data.length);
            writer.get(60, TimeUnit.SECONDS);
            assertArrayEquals(data, back);
        }
    }

    @Test
    void rot13ServesATlsClient() throws Exception {
        try (Server rot13 = Server.start("rot13", "ROT13", TestTls.context(server), false);
                SSLSocket s = connect(trustingServer(), rot13.port())) {
            s.getOutputStream().write("Hello, World!\n".getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Hello, World!", in.readLine());
            assertEquals("Uryyb, Jbeyq!", in.readLine());
        }
    }

    @Test
    void manyConcurrentTlsClients() throws Exception {
        int clients = 200;
        SSLContext trust = trustingServer();
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch allConnected = new CountDownLatch(clients);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (SSLSocket s = connect(trust, echo.port())) {
                        s.startHandshake();
                        allConnected.countDown();
                        assertTrue(allConnected.await(60, TimeUnit.SECONDS), "not all clients connected");
                        BufferedReader in =
                                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        int ok = 0;
                        for (int line = 0; line < 3; line++) {
                            String text = "client " + id + " line " + line;
                            s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
                            if (text.equals(in.readLine())) ok++;
                        }
                        return ok;
                    }
                }));
            }
            int served = 0;
            for (Future<Integer> r : results) served += r.get(90, TimeUnit.SECONDS);
            assertEquals(3 * clients, served);
        }
    }

    @Test
    void aPlainClientOnATlsListenerFailsOnlyItsOwnConnection() throws Exception {
        try (Server echo = Server.start("echo", "ECHO", TestTls.context(server), false);
                SSLSocket before = connect(trustingServer(), echo.port())) {
            assertEquals("before", exchange(before, "before"));
            byte[] reply;
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
                plain.setSoTimeout(30_000);
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                reply = readToEnd(plain.getInputStream());
            }
            // What comes back is a TLS alert record (content type 21) or nothing, then the end of the stream.
            assertTrue(
                    reply.length == 0 || reply[0] == 21,
                    "a plaintext reply came back: " + new String(reply, StandardCharsets.ISO_8859_1));
            assertEquals("after", exchange(before, "after"));
            try (SSLSocket next = connect(trustingServer(), echo.port())) {
                assertEquals("next", exchange(next, "next"));
            }
        }
    }

    /** Reads until end of stream; a reset after the alert counts as the end too. */
    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) got.write(buf, 0, n);
        } catch (java.net.SocketException reset) {
            // connection reset: ends the stream as well
        }
        return got.toByteArray();
    }

    @Test
    void clientCertificateRequired() throws Exception {
        SSLContext serverContext = TestTls.context(server, client.certificate());
        try (Server echo = Server.start("echo", "ECHO", serverContext, true)) {
            try (SSLSocket s = connect(TestTls.context(client, server.certificate()), echo.port())) {
                assertEquals("with my certificate", exchange(s, "with my certificate"));
            }
            assertRefused(trustingServer(), echo.port());
            assertRefused(TestTls.context(stranger, server.certificate()), echo.port());
            try (SSLSocket s = connect(TestTls.context(client, server.certificate()), echo.port())) {
                assertEquals("still serving", exchange(s, "still serving"));
            }
        }
    }

    /** TLS 1.3 clients finish their side of the handshake first, so the refusal shows on the first read. */
    private static void assertRefused(SSLContext context, int port) throws Exception {
        try (SSLSocket s = connect(context, port)) {
            String reply;
            try {
                reply = exchange(s, "let me in");
            } catch (IOException refused) {
                return;
            }
            assertEquals(null, reply, "the server answered a client it should have refused");
        }
    }

    @Test
    void clientCertificateNeedsATlsListener() throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> new FdSpec.Listener(ch, "web", Optional.empty(), true));
            assertEquals("listener web: client certificates need TLS", e.getMessage());
        }
    }

    // ---- the guest as TLS client ----

    /**
     * A TLS 1.3 server for one connection: reads "ping\n", answers "pong\n", then reads on ("done\n") to see
     * how the client ended its stream. A bare SSLEngine over a blocking channel rather than an SSLSocket, because
     * only the engine tells a close_notify (unwrap CLOSED) from a plain TCP FIN.
     */
    private record PeerServer(ServerSocketChannel socket, CompletableFuture<String> seen) implements AutoCloseable {
        static PeerServer start(TestTls.Identity identity) throws Exception {
            SSLContext context = TestTls.context(identity);
            ServerSocketChannel ss =
                    ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<String> seen = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = ss.accept()) {
                    seen.complete(serve(ch, context));
                } catch (IOException | RuntimeException e) {
                    seen.complete("failed: " + e);
                }
            });
            return new PeerServer(ss, seen);
        }

        private static String serve(SocketChannel ch, SSLContext context) throws IOException {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            engine.setEnabledProtocols(new String[] {"TLSv1.3"});
            ByteBuffer netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            StringBuilder got = new StringBuilder();
            boolean answered = false;
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> engine.getDelegatedTask().run();
                    case NEED_WRAP -> send(ch, engine, ByteBuffer.allocate(0));
                    default -> {
                        if (!answered && got.toString().endsWith("\n")) {
                            send(ch, engine, ByteBuffer.wrap("pong\n".getBytes(StandardCharsets.UTF_8)));
                            answered = true;
                            continue;
                        }
                        netIn.flip();
                        SSLEngineResult r = engine.unwrap(netIn, app);
                        netIn.compact();
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            engine.closeOutbound();
                            send(ch, engine, ByteBuffer.allocate(0)); // our close_notify: the guest reads a clean EOF
                            return got + "<close_notify>";
                        }
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && ch.read(netIn) < 0) {
                            return got + "<FIN without close_notify>";
                        }
                        got.append(new String(app.array(), 0, app.position(), StandardCharsets.UTF_8));
                        app.clear();
                    }
                }
            }
        }

        private static void send(SocketChannel ch, SSLEngine engine, ByteBuffer data) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(data, out);
            out.flip();
            while (out.hasRemaining()) ch.write(out);
        }

        int port() throws IOException {
            return ((InetSocketAddress) socket.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record GuestResult(int exit, String stdout, String stderr) {}

    private static GuestResult runClient(String mode, int port, SSLContext tls, String peerHost) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        int exit = TestModules.program("tls_client.wasm")
                .run(WasiOptions.builder()
                        .args("tls_client.wasm", mode)
                        .stdio(InputStream.nullInputStream(), out, err)
                        .fd(new FdSpec.Stream(ch, "PEER", Optional.of(tls), peerHost))
                        .limits(WasiLimits.defaults().withMaxWallTime(Duration.ofSeconds(30)))
                        .build());
        return new GuestResult(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "poll"})
    void guestConnectsOutThroughTls(String mode) throws Exception {
        try (PeerServer peer = PeerServer.start(server)) {
            GuestResult r = runClient(mode, peer.port(), trustingServer(), "localhost");
            assertEquals(new GuestResult(0, "pong\n", ""), r);
            // sock_shutdown(SHUT_WR) reached the JDK server as close_notify, not as a bare TCP FIN
            assertEquals("ping\ndone\n<close_notify>", peer.seen().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void guestRefusesAServerCertificateForAnotherName() throws Exception {
        try (PeerServer peer = PeerServer.start(server)) {
            GuestResult r = runClient("block", peer.port(), trustingServer(), "wrong.example");
            assertEquals(2, r.exit(), r.toString());
            assertEquals("", r.stdout());
            assertTrue(r.stderr().startsWith("send: "), r.stderr());
            assertTrue(peer.seen().get(30, TimeUnit.SECONDS).startsWith("failed: "));
        }
    }

    @Test
    void guestRefusesAnUntrustedServer() throws Exception {
        try (PeerServer peer = PeerServer.start(stranger)) {
            GuestResult r = runClient("poll", peer.port(), trustingServer(), "localhost");
            assertEquals(2, r.exit(), r.toString());
            assertEquals("", r.stdout());
        }
    }
}
