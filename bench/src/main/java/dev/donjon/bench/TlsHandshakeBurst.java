package dev.donjon.bench;

import dev.donjon.wasi.FdSpec;
import dev.donjon.wasi.GuestRun;
import dev.donjon.wasi.WasiOptions;
import dev.donjon.wasi.WasiProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * What a burst of new TLS clients does to a connection already open: one client echoes a line again and again on its
 * open connection while {@code handshakes} other clients connect at once (each: handshake, one line, close), against
 * examples/echo behind Donjon's TLS listener and against the JDK's own TLS server ({@link TlsEcho}: a virtual thread
 * per connection), in the same run and the same JVM. Prints the open connection's round trips during each burst.
 *
 * <p>Run: {@code bench/tls-handshake-burst.sh [--handshakes 300] [--rounds 3] [--echo examples/echo/echo.wasm]}
 */
public final class TlsHandshakeBurst {
    private TlsHandshakeBurst() {}

    public static void main(String[] args) throws Exception {
        int handshakes = 300;
        int rounds = 3;
        Path echoWasm = Path.of("examples/echo/echo.wasm");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--handshakes" -> handshakes = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--echo" -> echoWasm = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        EchoConnections.TlsServer identity = EchoConnections.selfSigned();
        SSLSocketFactory clients = EchoLoad.trusting(identity.certificateFile());
        System.out.printf(
                "TLS handshake burst: %d new clients at once, %d rounds per server, %d cores%n",
                handshakes, rounds, Runtime.getRuntime().availableProcessors());
        System.out.println("server  round  burst_s  open_rtt_p50_ms  open_rtt_p99_ms  open_rtt_max_ms  round_trips");

        WasiProgram echo = WasiProgram.load(Files.readAllBytes(echoWasm));
        try (ServerSocketChannel listener =
                ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096)) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            GuestRun run = echo.start(WasiOptions.builder()
                    .args("echo.wasm")
                    .env("FD_COUNT", "4")
                    .env("FD_NAMES", "stdin:stdout:stderr:ECHO")
                    .stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream(), System.err)
                    .fd(new FdSpec.Listener(listener, "ECHO", Optional.of(identity.context())))
                    .build());
            try {
                measure("donjon", clients, port, handshakes, rounds);
            } finally {
                run.stop();
            }
        }
        try (TlsEcho jdk = TlsEcho.start(identity.context(), 4096)) {
            measure("jdk", clients, jdk.port(), handshakes, rounds);
        }
    }

    private static void measure(String server, SSLSocketFactory clients, int port, int handshakes, int rounds)
            throws Exception {
        burst(clients, port, handshakes, null); // warm-up: the JIT, both sides
        try (SSLSocket open = connect(clients, port)) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(open.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 200; i++) roundTrip(open, in);
            for (int r = 1; r <= rounds; r++) {
                List<Long> rtts = new ArrayList<>();
                long start = System.nanoTime();
                burst(clients, port, handshakes, () -> rtts.add(roundTrip(open, in)));
                double seconds = (System.nanoTime() - start) / 1e9;
                Collections.sort(rtts);
                System.out.printf(
                        "%-7s %5d  %7.2f  %15.2f  %15.2f  %15.2f  %11d%n",
                        server, r, seconds, ms(rtts, 0.50), ms(rtts, 0.99), ms(rtts, 1.0), rtts.size());
            }
        }
    }

    /** {@code handshakes} clients at once; while they run, {@code meanwhile} again and again on this thread. */
    private static void burst(SSLSocketFactory clients, int port, int handshakes, ThrowingRunnable meanwhile)
            throws Exception {
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < handshakes; i++) {
                done.add(pool.submit(() -> {
                    try (SSLSocket s = connect(clients, port)) {
                        BufferedReader in =
                                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        roundTrip(s, in);
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                    return null;
                }));
            }
            while (meanwhile != null && !done.stream().allMatch(Future::isDone)) meanwhile.run();
            for (Future<?> f : done) f.get();
        }
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " of the burst's clients failed");
    }

    private static SSLSocket connect(SSLSocketFactory clients, int port) throws IOException {
        SSLSocket s = (SSLSocket) clients.createSocket("localhost", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        s.startHandshake();
        return s;
    }

    private static final byte[] LINE =
            "0123456789abcdef0123456789abcdef0123456789abcdef012345678901234\n".getBytes(StandardCharsets.US_ASCII);

    /** One line out and its echo back: nanoseconds. */
    private static long roundTrip(SSLSocket s, BufferedReader in) throws IOException {
        long t = System.nanoTime();
        s.getOutputStream().write(LINE);
        s.getOutputStream().flush();
        if (in.readLine() == null) throw new IOException("the server closed the connection");
        return System.nanoTime() - t;
    }

    private static double ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) return Double.NaN;
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
