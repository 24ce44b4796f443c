package dev.donjon.bench;

import dev.donjon.config.EnarxConfig;
import dev.donjon.config.Protocol;
import dev.donjon.config.WorkloadFile;
import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.Keep;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.Workload;
import dev.donjon.wasi.GuestRun;
import dev.donjon.wasi.WasiLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Echo throughput: the C echo example (examples/echo/echo.wasm) in a Keep against a plain Java NIO echo server (one
 * selector thread, as the guest's single poll loop), same clients, same JVM. Two loads: many small round trips on
 * concurrent connections (messages/s), and bulk streaming (MB/s).
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.EchoThroughput [CONNECTIONS] [SECONDS]}
 */
public final class EchoThroughput {

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path root = Path.of(System.getProperty("donjon.root", "."));
        byte[] echo = Files.readAllBytes(root.resolve("examples/echo/echo.wasm"));

        List<WorkloadFile> files = new ArrayList<>(EnarxConfig.defaultFiles());
        files.add(new WorkloadFile.Listen("ECHO", "127.0.0.1", 0, Protocol.TCP));
        EnarxConfig config = new EnarxConfig(Optional.empty(), List.of(), Map.of(), files);
        Stdio quiet = new Stdio(
                InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        Keep keep = Keep.open(
                Workload.of(echo).withConfig(config),
                quiet,
                WasiLimits.defaults(),
                AttestedIdentity.on(java.util.Optional.empty(), AttestedIdentity.Trust.jdkDefaults()));
        InetSocketAddress keepAddr = keep.listening().getFirst().address();
        GuestRun guest = keep.start();
        NioEcho nio = NioEcho.start();

        System.out.printf(
                "echo: %d connections, %d s per load, JDK %s, %d cores%n",
                connections, seconds, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-14s %-8s %14s %12s%n", "load", "server", "result", "vs NIO");
        for (String load : List.of("roundtrip64", "bulk64k")) {
            boolean bulk = load.startsWith("bulk");
            run(nio.address(), connections, 1, bulk); // warm-up: both servers' JIT, the clients' too
            run(keepAddr, connections, 1, bulk);
            double n = run(nio.address(), connections, seconds, bulk);
            double k = run(keepAddr, connections, seconds, bulk);
            String unit = bulk ? "MB/s" : "msg/s";
            System.out.printf("%-14s %-8s %14s %12s%n", load, "nio", fmt(n, unit), "1.00x");
            System.out.printf("%-14s %-8s %14s %11.2fx%n", load, "donjon", fmt(k, unit), k / n);
        }
        guest.stop();
        nio.close();
    }

    private static String fmt(double v, String unit) {
        return String.format("%,.0f %s", v, unit);
    }

    /** Messages per second (round trips of 64 bytes) or MB/s echoed (64 KiB writes), over all connections. */
    static double run(InetSocketAddress server, int connections, int seconds, boolean bulk) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        List<Future<Long>> done = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++)
                done.add(threads.submit(() -> bulk ? bulk(server, end) : roundTrips(server, end)));
            long total = 0;
            for (Future<Long> f : done) total += f.get();
            double secs = (System.nanoTime() - start) / 1e9;
            return bulk ? total / secs / 1e6 : total / secs;
        }
    }

    private static long roundTrips(InetSocketAddress server, long end) throws IOException {
        byte[] msg = new byte[64];
        byte[] reply = new byte[64];
        long count = 0;
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            while (System.nanoTime() < end) {
                msg[0] = (byte) count;
                out.write(msg);
                if (in.readNBytes(reply, 0, 64) != 64 || reply[0] != msg[0]) throw new IOException("bad echo");
                count++;
            }
        }
        return count;
    }

    /** Streams 64 KiB writes while a second thread reads the echo back; returns bytes echoed. */
    private static long bulk(InetSocketAddress server, long end) throws Exception {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            Thread.Builder vt = Thread.ofVirtual();
            long[] sent = new long[1];
            Thread writer = vt.start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    while (System.nanoTime() < end) {
                        out.write(chunk);
                        sent[0] += chunk.length;
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            for (int n; (n = in.read(buf)) > 0; ) received += n;
            writer.join();
            if (received != sent[0]) throw new IOException("echoed " + received + " of " + sent[0] + " bytes");
            return received;
        }
    }

    /** The baseline: a plain non-blocking Java echo server on one selector thread. */
    record NioEcho(ServerSocketChannel server, Selector selector, Thread thread) implements AutoCloseable {
        static NioEcho start() throws IOException {
            ServerSocketChannel server =
                    ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            server.configureBlocking(false);
            Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            Thread t = Thread.ofPlatform().daemon().name("nio-echo").start(() -> loop(server, selector));
            return new NioEcho(server, selector, t);
        }

        InetSocketAddress address() {
            try {
                return (InetSocketAddress) server.getLocalAddress();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static void loop(ServerSocketChannel server, Selector selector) {
            try {
                while (selector.isOpen()) {
                    selector.select();
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (!key.isValid()) continue;
                        if (key.isAcceptable()) {
                            for (SocketChannel c; (c = server.accept()) != null; ) {
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(64 * 1024));
                            }
                        } else {
                            echo(key);
                        }
                    }
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                // closed: the benchmark is over
            }
        }

        /** Reads what is there, writes as much as the socket takes; waits for writability while output is pending. */
        private static void echo(SelectionKey key) throws IOException {
            SocketChannel c = (SocketChannel) key.channel();
            ByteBuffer buf = (ByteBuffer) key.attachment();
            try {
                if (key.isReadable() && buf.position() == 0) {
                    if (c.read(buf) < 0) {
                        c.close();
                        return;
                    }
                }
                buf.flip();
                c.write(buf);
                buf.compact();
                key.interestOps(buf.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            } catch (IOException e) {
                c.close();
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            server.close();
        }
    }
}
