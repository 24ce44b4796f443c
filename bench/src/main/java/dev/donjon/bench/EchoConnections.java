package dev.donjon.bench;

import dev.donjon.common.Tls;
import dev.donjon.wasi.FdSpec;
import dev.donjon.wasi.GuestRun;
import dev.donjon.wasi.WasiOptions;
import dev.donjon.wasi.WasiProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Connections one Keep serves: the echo example ({@code examples/echo/echo.wasm}, unchanged) runs in-process on
 * Donjon's WASI host with a plain listener as fd 3; a client JVM ({@link EchoLoad}) holds N connections open at
 * once and gets one echoed line on each. Then echo throughput (small requests: requests/s; large: MB/s) against
 * the same guest and against a single-threaded Java NIO echo server ({@link NioEcho}), in the same run. Last, the
 * same guest again behind a TLS 1.3 listener (the host terminates TLS; the guest is unchanged), with
 * {@code --tls-connections} concurrent connections (0 skips it), against the JDK's own TLS server ({@link TlsEcho}).
 *
 * <p>Run: {@code bench/echo-connections.sh [--connections N] [--throughput-connections C] [--seconds S]
 * [--warmup S] [--small BYTES] [--large BYTES] [--echo PATH] [--tls-connections N] [--tls-warmup S]}
 */
public final class EchoConnections {
    private static final int BACKLOG = 4096;
    /** Seconds of load each server gets before its measured phases (0: measure them cold). */
    private static String serverWarmup = "10";

    private EchoConnections() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int connections = Integer.parseInt(o.get("connections"));
        int tconns = Integer.parseInt(o.get("throughput-connections"));
        String seconds = o.get("seconds");
        String warmup = o.get("warmup");
        int small = Integer.parseInt(o.get("small"));
        int large = Integer.parseInt(o.get("large"));
        serverWarmup = o.get("server-warmup");

        long c0 = System.nanoTime();
        WasiProgram echo = WasiProgram.load(Files.readAllBytes(Path.of(o.get("echo"))));
        System.out.printf(
                "echo.wasm compiled in %.2f s; %d cores; client JVM separate (fd limit per process)%n",
                (System.nanoTime() - c0) / 1e9, Runtime.getRuntime().availableProcessors());

        Map<String, Map<String, String>> donjon =
                donjon(echo, null, connections, tconns, warmup, seconds, small, large);
        Map<String, Map<String, String>> nio = new LinkedHashMap<>();
        try (NioEcho baseline = NioEcho.start(BACKLOG)) {
            String port = Integer.toString(baseline.port());
            warmUp("Java NIO echo", port, connections, List.of());
            System.out.println(
                    "== Java NIO echo (one thread, one selector): " + connections + " concurrent connections");
            nio.put("concurrency", load("concurrency", port, Integer.toString(connections)));
            System.out.println("== Java NIO echo: echo throughput, " + tconns + " connections");
            nio.put(
                    "small",
                    load("throughput", port, Integer.toString(tconns), warmup, seconds, Integer.toString(small)));
            nio.put(
                    "large",
                    load("throughput", port, Integer.toString(tconns), warmup, seconds, Integer.toString(large)));
        }
        int tlsConnections = Integer.parseInt(o.get("tls-connections"));
        summary("plain TCP", connections, tconns, small, large, donjon, "Java NIO", nio);
        if (tlsConnections == 0) return;
        TlsServer identity = selfSigned();
        // TLS needs its crypto JIT-compiled in both JVMs first; on a loaded machine that takes many seconds.
        String tlsWarmup = o.get("tls-warmup");
        Map<String, Map<String, String>> tls =
                donjon(echo, identity, tlsConnections, tconns, tlsWarmup, seconds, small, large);
        Map<String, Map<String, String>> jdk = new LinkedHashMap<>();
        try (TlsEcho baseline = TlsEcho.start(identity.context(), BACKLOG)) {
            String port = Integer.toString(baseline.port());
            String cert = identity.certificateFile().toString();
            warmUp("JDK TLS echo", port, tlsConnections, List.of(cert));
            System.out.println("== JDK TLS echo (SSLServerSocket, a virtual thread per connection): " + tlsConnections
                    + " concurrent connections");
            jdk.put("concurrency", load("concurrency", port, Integer.toString(tlsConnections), cert));
            System.out.println("== JDK TLS echo: echo throughput, " + tconns + " connections");
            jdk.put(
                    "small",
                    load(
                            "throughput",
                            port,
                            Integer.toString(tconns),
                            tlsWarmup,
                            seconds,
                            Integer.toString(small),
                            cert));
            jdk.put(
                    "large",
                    load(
                            "throughput",
                            port,
                            Integer.toString(tconns),
                            tlsWarmup,
                            seconds,
                            Integer.toString(large),
                            cert));
        }
        summary("TLS 1.3", tlsConnections, tconns, small, large, tls, "JDK TLS", jdk);
    }

    private static void summary(
            String what,
            int connections,
            int tconns,
            int small,
            int large,
            Map<String, Map<String, String>> donjon,
            String baselineName,
            Map<String, Map<String, String>> baseline) {
        System.out.println();
        System.out.println("== Summary, " + what + " (ratio = Donjon / " + baselineName + ")");
        System.out.printf("%-36s %12s %12s %8s%n", "", "Donjon", baselineName, "ratio");
        System.out.printf("%-36s %12s %12s%n", "concurrent connections", connections, connections);
        for (String key : List.of("connected", "served")) {
            System.out.printf(
                    "%-36s %12s %12s%n",
                    key,
                    donjon.get("concurrency").get(key),
                    baseline.get("concurrency").get(key));
        }
        row("connect all (s)", donjon.get("concurrency"), baseline.get("concurrency"), "connect_s");
        row("then one line echoed on each (s)", donjon.get("concurrency"), baseline.get("concurrency"), "serve_s");
        row(small + " B requests/s (" + tconns + " conns)", donjon.get("small"), baseline.get("small"), "req_per_s");
        row(large + " B echo MB/s (" + tconns + " conns)", donjon.get("large"), baseline.get("large"), "mb_per_s");
        // What the server process spent (its own CPU time, the client being another JVM): steadier than the wall-clock
        // rows on a shared machine, and what the server's capacity is made of.
        row("server CPU, connect + serve (s)", donjon.get("concurrency"), baseline.get("concurrency"), "server_cpu_s");
        cpuRow("server CPU per " + small + " B request (us)", donjon.get("small"), baseline.get("small"));
        cpuRow("server CPU per " + large + " B request (us)", donjon.get("large"), baseline.get("large"));
        System.out.println();
    }

    /** The echo guest on a fresh listener (TLS-terminated by the host when {@code tls} is given), under load. */
    private static Map<String, Map<String, String>> donjon(
            WasiProgram echo,
            TlsServer tls,
            int connections,
            int tconns,
            String warmup,
            String seconds,
            int small,
            int large)
            throws Exception {
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        String label = tls == null ? "Donjon" : "Donjon, TLS 1.3 terminated by the host";
        try (ServerSocketChannel listener =
                ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG)) {
            String port = Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
            GuestRun run = echo.start(WasiOptions.builder()
                    .args("echo.wasm")
                    .env("FD_COUNT", "4")
                    .env("FD_NAMES", "stdin:stdout:stderr:ECHO")
                    .stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream(), System.err)
                    .fd(new FdSpec.Listener(
                            listener, "ECHO", Optional.ofNullable(tls).map(TlsServer::context)))
                    .build());
            List<String> cert =
                    tls == null ? List.of() : List.of(tls.certificateFile().toString());
            try {
                warmUp(label, port, connections, cert);
                System.out.println("== " + label + ": " + connections + " concurrent connections to echo.wasm");
                results.put("concurrency", load(with(cert, "concurrency", port, Integer.toString(connections))));
                System.out.println("== " + label + ": echo throughput, " + tconns + " connections");
                results.put(
                        "small",
                        load(with(
                                cert,
                                "throughput",
                                port,
                                Integer.toString(tconns),
                                warmup,
                                seconds,
                                Integer.toString(small))));
                results.put(
                        "large",
                        load(with(
                                cert,
                                "throughput",
                                port,
                                Integer.toString(tconns),
                                warmup,
                                seconds,
                                Integer.toString(large))));
                if (run.isDone()) throw new IllegalStateException("the echo guest ended during the benchmark");
            } finally {
                run.stop();
            }
        }
        return results;
    }

    /**
     * The same unmeasured load for each server before its measured phases: the same number of concurrent connections
     * once, then {@code serverWarmup} seconds of small echoes. Without it the first phase measured mostly what a server
     * does once: the JIT compiling its code, and its memory growing into pages the kernel maps on first touch (for
     * Donjon the guest's linear memory; the NIO server, in the same JVM after Donjon, found both its JDK code compiled
     * and the heap's pages mapped by Donjon's phases). {@code --server-warmup 0} measures both servers cold.
     */
    private static void warmUp(String label, String port, int connections, List<String> cert) throws Exception {
        int seconds = Integer.parseInt(serverWarmup);
        if (seconds <= 0) return;
        System.out.println("== " + label + ": warm-up (" + seconds + " s, not measured)");
        load(with(cert, "concurrency", port, Integer.toString(connections)));
        load(with(cert, "throughput", port, "64", Integer.toString(seconds), "1", "64"));
    }

    private static String[] with(List<String> tail, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(tail);
        return all.toArray(String[]::new);
    }

    /** A throwaway P-256 certificate for localhost: the server's context, and the file the client JVM trusts. */
    record TlsServer(SSLContext context, Path certificateFile) {}

    static TlsServer selfSigned() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        X500Name subject = new X500Name("CN=echo-connections");
        long now = System.currentTimeMillis();
        var builder = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(now),
                new Date(now - 60_000),
                new Date(now + 86_400_000L),
                subject,
                keys.getPublic());
        builder.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Path file = Files.createTempFile("echo-connections", ".der");
        file.toFile().deleteOnExit();
        Files.write(file, cert.getEncoded());
        return new TlsServer(Tls.context(keys.getPrivate(), List.of(cert), Optional.empty()), file);
    }

    private static void cpuRow(String label, Map<String, String> d, Map<String, String> n) {
        double dv = perRequestMicros(d);
        double nv = perRequestMicros(n);
        System.out.printf("%-36s %12.1f %12.1f %7.2fx%n", label, dv, nv, nv == 0 ? 0 : dv / nv);
    }

    private static double perRequestMicros(Map<String, String> r) {
        double requests = Double.parseDouble(r.get("requests"));
        return requests == 0 ? 0 : Double.parseDouble(r.getOrDefault("server_cpu_s", "0")) * 1e6 / requests;
    }

    private static void row(String label, Map<String, String> d, Map<String, String> n, String key) {
        double dv = Double.parseDouble(d.get(key));
        double nv = Double.parseDouble(n.get(key));
        System.out.printf("%-36s %12s %12s %7.2fx%n", label, d.get(key), n.get(key), nv == 0 ? 0 : dv / nv);
    }

    /** Runs {@link EchoLoad} in a child JVM, echoes its output, returns its RESULT fields. */
    private static Map<String, String> load(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                EchoLoad.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Map<String, String> result = new LinkedHashMap<>();
        var cpu = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = 0;
        Map<String, Long> threadsStart = Map.of();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("MARK start")) {
                    cpuStart = cpu.getProcessCpuTime();
                    threadsStart = THREAD_CPU ? threadCpu() : Map.of();
                    continue;
                } else if (line.equals("MARK end")) {
                    result.put("server_cpu_s", String.format("%.3f", (cpu.getProcessCpuTime() - cpuStart) / 1e9));
                    if (THREAD_CPU) printThreadCpu(threadsStart, threadCpu());
                    continue;
                }
                System.out.println("  " + line);
                if (line.startsWith("RESULT ")) {
                    for (String kv : line.substring(7).split(" ")) {
                        int eq = kv.indexOf('=');
                        result.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        if (p.waitFor() != 0 || result.isEmpty())
            throw new IllegalStateException("load client failed: " + String.join(" ", args));
        return result;
    }

    /** ECHO_THREAD_CPU=1: also print which of this process's threads spent the measured CPU (JIT, GC, server). */
    private static final boolean THREAD_CPU = "1".equals(System.getenv("ECHO_THREAD_CPU"));

    /** CPU milliseconds per thread name (numbered names merged), from /proc/self/task. */
    private static Map<String, Long> threadCpu() throws IOException {
        Map<String, Long> byName = new java.util.TreeMap<>();
        long tick = 10; // ms per clock tick (USER_HZ 100)
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm"))
                            .strip()
                            .replaceAll("[#0-9]+$", "")
                            .strip();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tick, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return byName;
    }

    private static void printThreadCpu(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder line = new StringBuilder("  server threads' CPU ms:");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() >= 20)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(' ')
                        .append(e.getKey().replace(' ', '_'))
                        .append('=')
                        .append(e.getValue()));
        System.out.println(line);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>(Map.of(
                "connections",
                "10000",
                "throughput-connections",
                "64",
                "seconds",
                "10",
                "warmup",
                "3",
                "small",
                "64",
                "large",
                "65536",
                "echo",
                "examples/echo/echo.wasm",
                "tls-connections",
                "1000",
                "tls-warmup",
                "15",
                "server-warmup",
                "10"));
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!o.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "usage: EchoConnections [--" + String.join(" N] [--", o.keySet()) + " N]");
            }
            o.put(name, args[++i]);
        }
        return o;
    }
}
