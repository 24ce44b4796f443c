package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.config.EnarxConfig;
import dev.donjon.wasi.GuestRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example servers in a Keep, over real loopback sockets, with many clients at once. */
@Timeout(120)
class ExampleServersTest {
    static final int CLIENTS = 150;
    /** The floor for one Keep: this many connections open at once. */
    static final int MANY_CLIENTS = 1_000;

    private static byte[] example(String dir, String file) {
        return TestKeeps.file(TestKeeps.root().resolve("examples").resolve(dir).resolve(file));
    }

    @Test
    void echoServesAThousandConcurrentClients() throws Exception {
        try (var server = Server.start(example("echo", "echo.wasm"), TestKeeps.listenerConfig("ECHO", "tcp"))) {
            server.everyClientGets(MANY_CLIENTS, i -> "line " + i + " of client " + i + "\n", line -> line);
        }
    }

    @Test
    void rot13InCServesManyConcurrentClients() throws Exception {
        try (var server = Server.start(example("rot13", "rot13.wasm"), TestKeeps.listenerConfig("ROT13", "tcp"))) {
            server.everyClientGets(
                    CLIENTS, i -> "Hello, World! " + i + "\n", line -> line + "Uryyb, Jbeyq! " + line.substring(14));
        }
    }

    @Test
    void rot13InAssemblyScriptServesManyConcurrentClients() throws Exception {
        try (var server = Server.start(example("rot13-as", "rot13.wasm"), TestKeeps.listenerConfig("ROT13", "tcp"))) {
            server.everyClientGets(CLIENTS, i -> "Zebra " + i + "\r\n", line -> line + "Mroen " + line.substring(6));
        }
    }

    /** Enarx's own prebuilt echo server, unchanged, with its Enarx.toml's TLS listener made tcp. */
    @Test
    void enarxPrebuiltEchoServerRunsUnchanged() throws Exception {
        Path dir = TestKeeps.shared().resolve("wasm/echo_server");
        String toml = java.nio.file.Files.readString(dir.resolve("Enarx.toml"))
                .replace("prot = \"tls\"", "prot = \"tcp\"\naddr = \"127.0.0.1\"")
                .replace("port = 9000", "port = 0");
        try (var server = Server.start(TestKeeps.file(dir.resolve("main.wasm")), EnarxConfig.parse(toml))) {
            try (Socket s = server.connect()) {
                assertEquals(
                        "Hello world!\n", new String(s.getInputStream().readNBytes(13), StandardCharsets.US_ASCII));
                s.getOutputStream().write("ping from a client\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(
                        "ping from a client\n",
                        new String(s.getInputStream().readNBytes(19), StandardCharsets.US_ASCII));
            }
            server.awaitOutput("Received data: ping from a client");
            assertTrue(server.keep.stdout().startsWith("Using preopened socket FD 3\n"), server.keep.stdout());
        }
    }

    /** accept() on an idle non-blocking listener is EAGAIN and poll() times out; a client then wakes it up. */
    @Test
    void nonBlockingAcceptAndPollOnTheListener() throws Exception {
        byte[] module =
                TestKeeps.file(TestKeeps.root().resolve("donjon-wasi/src/test/resources/wasm/nonblock_accept.wasm"));
        try (var server = Server.start(module, TestKeeps.listenerConfig("L", "tcp"))) {
            server.awaitOutput("waiting\n");
            assertEquals("accept: EAGAIN\npoll: timeout\nwaiting\n", server.keep.stdout());
            try (Socket s = server.connect()) {
                assertEquals("hello\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            assertEquals(Optional.of(0), server.run.await(Duration.ofSeconds(10)));
            assertTrue(server.keep.stdout().endsWith("accepted\n"));
        }
    }

    /** A Keep running a server guest; closing it stops the guest. */
    record Server(TestKeeps.Captured keep, GuestRun run) implements AutoCloseable {
        static Server start(byte[] module, EnarxConfig config) {
            var k = TestKeeps.open(module, Optional.of(config), List.of(), List.of());
            return new Server(k, k.keep().start());
        }

        Socket connect() throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), keep.port());
            s.setSoTimeout(30_000);
            return s;
        }

        void awaitOutput(String text) throws InterruptedException {
            for (int i = 0; i < 500 && !keep.stdout().contains(text); i++) Thread.sleep(20);
            assertTrue(
                    keep.stdout().contains(text),
                    "guest never printed " + text + "; stdout: " + keep.stdout() + " stderr: " + keep.stderr());
        }

        /**
         * Connects every client first (so all are open at once), then has each send its line and check the
         * reply byte for byte.
         */
        void everyClientGets(
                int clients,
                java.util.function.IntFunction<String> request,
                java.util.function.UnaryOperator<String> expected)
                throws Exception {
            List<Socket> sockets = new ArrayList<>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < clients; i++) sockets.add(connect());
                List<Future<String>> replies = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    Socket s = sockets.get(i);
                    String line = request.apply(i);
                    replies.add(threads.submit(
                            () -> exchange(s, line, expected.apply(line).length())));
                }
                for (int i = 0; i < clients; i++) {
                    String line = request.apply(i);
                    assertEquals(expected.apply(line), replies.get(i).get(), "client " + i);
                }
            } finally {
                for (Socket s : sockets) s.close();
            }
            assertTrue(!run.isDone(), "the server is still running after its clients left");
        }

        private static String exchange(Socket s, String line, int replyLength) throws IOException {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new String(in.readNBytes(replyLength), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            run.stop();
            try {
                run.await(Duration.ofSeconds(10));
            } catch (dev.donjon.wasi.GuestFailedException expected) {
                // "guest was stopped": that is how a server ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
