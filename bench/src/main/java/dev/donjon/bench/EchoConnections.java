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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Connections one Keep serves: the echo example ({@code examples/echo/echo.wasm}, unchanged) runs in-process on
 * Donjon's WASI host with a plain listener as fd 3; a client JVM ({@link EchoLoad}) holds N connections open at
 * once and gets one echoed line on each. Then echo throughput (small requests: requests/s; large: MB/s) against
 * the same guest and against a single-threaded Java NIO echo server ({@link NioEcho}), in the same run.
 *
 * <p>Run: {@code bench/echo-connections.sh [--connections N] [--throughput-connections C] [--seconds S]
 * [--warmup S] [--small BYTES] [--large BYTES] [--echo PATH]}
 */
public final class EchoConnections {
    private static final int BACKLOG = 4096;

    private EchoConnections() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int connections = Integer.parseInt(o.get("connections"));
        int tconns = Integer.parseInt(o.get("throughput-connections"));
        String seconds = o.get("seconds");
        String warmup = o.get("warmup");
        int small = Integer.parseInt(o.get("small"));
        int large = Integer.parseInt(o.get("large"));

        long c0 = System.nanoTime();
        WasiProgram echo = WasiProgram.load(Files.readAllBytes(Path.of(o.get("echo"))));
        System.out.printf("echo.wasm compiled in %.2f s; %d cores; client JVM separate (fd limit per process)%n",
                (System.nanoTime() - c0) / 1e9, Runtime.getRuntime().availableProcessors());

        Map<String, Map<String, String>> donjon = new LinkedHashMap<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG)) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            GuestRun run = echo.start(WasiOptions.builder()
                    .args("echo.wasm")
                    .env("FD_COUNT", "4").env("FD_NAMES", "stdin:stdout:stderr:ECHO")
                    .stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream(), System.err)
                    .fd(new FdSpec.Listener(listener, "ECHO", Optional.empty()))
                    .build());
            try {
                System.out.println("== Donjon: " + connections + " concurrent connections to echo.wasm");
                donjon.put("concurrency", load("concurrency", Integer.toString(port), Integer.toString(connections)));
                System.out.println("== Donjon: echo throughput, " + tconns + " connections");
                donjon.put("small", load("throughput", Integer.toString(port), Integer.toString(tconns), warmup, seconds, Integer.toString(small)));
                donjon.put("large", load("throughput", Integer.toString(port), Integer.toString(tconns), warmup, seconds, Integer.toString(large)));
                if (run.isDone()) throw new IllegalStateException("the echo guest ended during the benchmark");
            } finally {
                run.stop();
            }
        }
        Map<String, Map<String, String>> nio = new LinkedHashMap<>();
        try (NioEcho baseline = NioEcho.start(BACKLOG)) {
            System.out.println("== Java NIO echo (one thread, one selector): " + connections + " concurrent connections");
            nio.put("concurrency", load("concurrency", Integer.toString(baseline.port()), Integer.toString(connections)));
            System.out.println("== Java NIO echo: echo throughput, " + tconns + " connections");
            nio.put("small", load("throughput", Integer.toString(baseline.port()), Integer.toString(tconns), warmup, seconds, Integer.toString(small)));
            nio.put("large", load("throughput", Integer.toString(baseline.port()), Integer.toString(tconns), warmup, seconds, Integer.toString(large)));
        }
        summary(connections, tconns, small, large, donjon, nio);
    }

    private static void summary(int connections, int tconns, int small, int large,
                                Map<String, Map<String, String>> donjon, Map<String, Map<String, String>> nio) {
        System.out.println();
        System.out.println("== Summary");
        System.out.printf("%-34s %14s %14s %8s%n", "", "Donjon (echo.wasm)", "Java NIO", "ratio");
        for (String key : List.of("connected", "served")) {
            System.out.printf("%-34s %14s %14s%n", key + " of " + connections, donjon.get("concurrency").get(key), nio.get("concurrency").get(key));
        }
        row("connect all (s)", donjon.get("concurrency"), nio.get("concurrency"), "connect_s");
        row("echo one line on each, all open (s)", donjon.get("concurrency"), nio.get("concurrency"), "serve_s");
        row(small + " B requests/s (" + tconns + " conns)", donjon.get("small"), nio.get("small"), "req_per_s");
        row(large + " B echo MB/s (" + tconns + " conns)", donjon.get("large"), nio.get("large"), "mb_per_s");
    }

    private static void row(String label, Map<String, String> d, Map<String, String> n, String key) {
        double dv = Double.parseDouble(d.get(key));
        double nv = Double.parseDouble(n.get(key));
        System.out.printf("%-34s %14s %14s %7.2fx%n", label, d.get(key), n.get(key), nv == 0 ? 0 : dv / nv);
    }

    /** Runs {@link EchoLoad} in a child JVM, echoes its output, returns its RESULT fields. */
    private static Map<String, String> load(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EchoLoad.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, String> result = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("  " + line);
                if (line.startsWith("RESULT ")) {
                    for (String kv : line.substring(7).split(" ")) {
                        int eq = kv.indexOf('=');
                        result.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        if (p.waitFor() != 0 || result.isEmpty()) throw new IllegalStateException("load client failed: " + String.join(" ", args));
        return result;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("connections", "10000", "throughput-connections", "64",
                "seconds", "10", "warmup", "3", "small", "64", "large", "65536", "echo", "examples/echo/echo.wasm"));
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!o.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: EchoConnections [--" + String.join(" N] [--", o.keySet()) + " N]");
            }
            o.put(name, args[++i]);
        }
        return o;
    }
}
