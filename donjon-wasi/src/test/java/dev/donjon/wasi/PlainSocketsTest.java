package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Plain TCP through the Enarx socket model: accept, non-blocking calls and poll_oneoff readiness. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PlainSocketsTest {

    private static ServerSocketChannel listener() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    }

    private static int port(ServerSocketChannel ch) throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    private static WasiOptions.Builder options(
            ServerSocketChannel listener, ByteArrayOutputStream out, String... args) {
        return WasiOptions.builder()
                .args(args)
                .stdio(InputStream.nullInputStream(), out, out)
                .fd(new FdSpec.Listener(listener, "LISTEN", Optional.empty()))
                .limits(WasiLimits.defaults().withMaxWallTime(Duration.ofSeconds(90)));
    }

    @Test
    void nonBlockingAcceptAndPollReadiness() throws Exception {
        ServerSocketChannel listener = listener();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GuestRun run = TestModules.program("nonblock_accept.wasm")
                .start(options(listener, out, "nonblock_accept.wasm").build());
        while (!out.toString(StandardCharsets.UTF_8).contains("waiting\n")) {
            assertFalse(run.isDone(), out.toString(StandardCharsets.UTF_8));
            Thread.sleep(10);
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(listener))) {
            assertEquals(
                    "hello",
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine());
        }
        assertEquals(0, run.await());
        assertEquals("accept: EAGAIN\npoll: timeout\nwaiting\naccepted\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void acceptAtTheFdLimitIsEmfile() throws Exception {
        ServerSocketChannel listener = listener();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) clients.add(new Socket(InetAddress.getLoopbackAddress(), port(listener)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = TestModules.program("accept_until_emfile.wasm")
                    .run(options(listener, out, "accept_until_emfile.wasm")
                            .limits(WasiLimits.defaults().withMaxOpenFds(8))
                            .build());
            // fds 0-3 are configured, so 4 of the 8 are left for connections
            assertEquals("held 4, accept failed: EMFILE\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(0, exit);
        } finally {
            for (Socket s : clients) s.close();
        }
    }

    @Test
    void pollLoopServesConcurrentClients() throws Exception {
        int clients = 50;
        ServerSocketChannel listener = listener();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GuestRun run = TestModules.program("echo_poll.wasm")
                .start(options(listener, out, "echo_poll.wasm", Integer.toString(clients))
                        .build());
        CountDownLatch connected = new CountDownLatch(clients);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String line = "client " + i;
                replies.add(pool.submit(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(listener))) {
                        s.setSoTimeout(60_000);
                        connected.countDown();
                        connected.await(); // all open at once before any is served
                        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                                .readLine();
                    }
                }));
            }
            for (int i = 0; i < clients; i++)
                assertEquals("client " + i, replies.get(i).get(60, TimeUnit.SECONDS));
        }
        assertEquals(0, run.await(), out.toString(StandardCharsets.UTF_8));
    }
}
