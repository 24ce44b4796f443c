package dev.donjon.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of {@link EchoConnections}, run in its own JVM so that client and server sockets do not share
 * one process's fd limit. Prints one {@code RESULT key=value ...} line.
 *
 * <pre>
 * EchoLoad concurrency PORT CONNECTIONS [CERT]          all connections open at once, then one echoed line on each
 * EchoLoad throughput PORT CONNECTIONS WARMUP_S SECONDS SIZE [CERT]   request/response of SIZE bytes per connection
 * </pre>
 * With CERT (a DER certificate file) every connection is TLS 1.3, trusting that certificate only, the handshake
 * done as part of connecting.
 */
public final class EchoLoad {
    private EchoLoad() {}

    private static SSLSocketFactory tls;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        int certArg = args[0].equals("concurrency") ? 3 : 6;
        if (args.length > certArg) tls = trusting(Path.of(args[certArg]));
        switch (args[0]) {
            case "concurrency" -> concurrency(server, Integer.parseInt(args[2]));
            case "throughput" ->
                throughput(
                        server,
                        Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static SSLSocketFactory trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry(
                    "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    /** A connected socket; over TLS, with the handshake done (hostname checked against "localhost"). */
    private static Socket connect(InetSocketAddress server) throws IOException {
        Socket s = tls == null ? new Socket() : tls.createSocket();
        try {
            if (s instanceof SSLSocket t) {
                SSLParameters p = t.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                p.setServerNames(List.of(new SNIHostName("localhost")));
                t.setSSLParameters(p);
            }
            s.connect(server, 60_000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(120_000);
            if (s instanceof SSLSocket t) t.startHandshake();
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens {@code n} connections and keeps every one open until all are done, so the server holds all of them
     * at once; only when all are connected does each send its line, and the echo must come back byte for byte.
     */
    private static void concurrency(InetSocketAddress server, int n) throws Exception {
        Semaphore connecting = new Semaphore(256); // a connect storm past the listen backlog only costs SYN retries
        CountDownLatch connectedOrFailed = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch servedOrFailed = new CountDownLatch(n);
        CountDownLatch closeAll = new CountDownLatch(1);
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        mark("start");
        long t0 = System.nanoTime();
        AtomicLong lastServed = new AtomicLong();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int id = i;
                pool.submit(() -> {
                    boolean counted = false;
                    boolean finished = false;
                    Socket s = null;
                    try {
                        connecting.acquire();
                        try {
                            s = connect(server);
                        } finally {
                            connecting.release();
                        }
                        connected.incrementAndGet();
                        counted = true;
                        connectedOrFailed.countDown();
                        go.await();
                        byte[] line = ("connection " + id + " says hello\n").getBytes(StandardCharsets.US_ASCII);
                        s.getOutputStream().write(line);
                        byte[] back = s.getInputStream().readNBytes(line.length);
                        if (Arrays.equals(line, back)) {
                            served.incrementAndGet();
                            lastServed.accumulateAndGet(System.nanoTime(), Math::max);
                        } else {
                            failures.computeIfAbsent("wrong or short echo", k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                        finished = true;
                        servedOrFailed.countDown();
                        closeAll.await();
                    } catch (Exception e) {
                        failures.computeIfAbsent(
                                        e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new AtomicInteger())
                                .incrementAndGet();
                    } finally {
                        if (!counted) connectedOrFailed.countDown();
                        if (!finished) servedOrFailed.countDown();
                        try {
                            if (s != null) s.close();
                        } catch (IOException ignored) {
                            /* closing */
                        }
                    }
                    return null;
                });
            }
            connectedOrFailed.await();
            long tConnected = System.nanoTime();
            go.countDown();
            servedOrFailed.await(10, TimeUnit.MINUTES);
            long tServed = System.nanoTime();
            mark("end");
            closeAll.countDown();
            double connectS = (tConnected - t0) / 1e9;
            double serveS = (Math.max(lastServed.get(), tConnected) - tConnected) / 1e9;
            System.out.printf(
                    "RESULT mode=concurrency connections=%d connected=%d served=%d failed=%d connect_s=%.3f serve_s=%.3f total_s=%.3f%n",
                    n, connected.get(), served.get(), n - served.get(), connectS, serveS, (tServed - t0) / 1e9);
            new TreeMap<>(failures).forEach((why, count) -> System.out.println("FAILURE " + count + " x " + why));
        }
    }

    /**
     * Tells the server's process when the measured part starts and ends ({@code MARK start}, {@code MARK end} on
     * stdout), so that it can read its own CPU time then (EchoConnections' "server CPU" rows).
     */
    private static synchronized void mark(String what) {
        System.out.println("MARK " + what);
        System.out.flush();
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void throughput(InetSocketAddress server, int conns, int warmupS, int seconds, int size)
            throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupS);
        long until = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        Thread.ofPlatform().daemon().start(() -> {
            sleepUntil(measureFrom);
            mark("start");
            sleepUntil(until);
            mark("end");
        });
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < conns; i++) {
                int id = i;
                pool.submit(() -> {
                    byte[] msg = new byte[size];
                    Arrays.fill(msg, (byte) ('a' + id % 26));
                    msg[size - 1] = '\n';
                    byte[] back = new byte[size];
                    try (Socket s = connect(server)) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        long counted = 0;
                        while (true) {
                            out.write(msg);
                            if (in.readNBytes(back, 0, size) != size || !Arrays.equals(msg, back)) {
                                errors.incrementAndGet();
                                break;
                            }
                            long now = System.nanoTime();
                            if (now >= until) break;
                            if (now >= measureFrom) counted++;
                        }
                        requests.addAndGet(counted);
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        double reqPerS = requests.get() / (double) seconds;
        System.out.printf(
                "RESULT mode=throughput connections=%d size=%d seconds=%d requests=%d errors=%d req_per_s=%.0f mb_per_s=%.2f%n",
                conns, size, seconds, requests.get(), errors.get(), reqPerS, reqPerS * size / 1e6);
    }
}
