package dev.donjon.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy in front of replicas started by a test: one TCP frontend per service on a free loopback port
 * (TLS passes through, so client certificates reach the replicas), round robin over its replicas, each checked with
 * {@code GET /readyz} (HTTP/1.1: Donjon's edge answers no HTTP/1.0) on its plain-HTTP admin port every 500 ms (down after 2 failures), and a connection that cannot
 * reach a replica retried on another ({@code retries} + {@code option redispatch}). When the binary is missing this
 * runs the project's .ci/test-packages.sh; if that cannot install it, {@link #start} fails the test: it never skips.
 */
public final class LocalHaproxy implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/haproxy");

    /** One replica: where it serves, and the port of its admin listener (/readyz). */
    public record Replica(String name, InetSocketAddress address, int adminPort) {}

    private final Process process;
    private final Path socket;
    private final Map<String, Integer> ports;

    private LocalHaproxy(Process process, Path socket, Map<String, Integer> ports) {
        this.process = process;
        this.socket = socket;
        this.ports = ports;
    }

    /** Starts HAProxy with a frontend per entry of {@code services} (service name to its replicas). */
    public static LocalHaproxy start(Path dir, Map<String, List<Replica>> services) throws Exception {
        if (!Files.isExecutable(BINARY)) TestPackages.install();
        if (!Files.isExecutable(BINARY))
            fail(
                    BINARY
                            + " is missing: install Debian's haproxy package (apt-get install haproxy) to run the failover tests");
        Path socket = dir.resolve("haproxy.sock");
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 4000
                  stats socket %s mode 600 level admin
                defaults
                  mode tcp
                  timeout connect 2s
                  timeout client 120s
                  timeout server 120s
                  timeout check 2s
                  retries 3
                  option redispatch
                """.formatted(socket));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (var e : services.entrySet()) {
            int port = freePort();
            ports.put(e.getKey(), port);
            cfg.append("""
                    frontend %1$s
                      bind 127.0.0.1:%2$d
                      default_backend %1$s
                    backend %1$s
                      balance roundrobin
                      option httpchk
                      http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost
                      http-check expect status 200
                      default-server inter 500ms fall 2 rise 2
                    """.formatted(e.getKey(), port));
            for (Replica r : e.getValue())
                cfg.append("  server %s %s:%d check port %d%n"
                        .formatted(
                                r.name(),
                                r.address().getHostString(),
                                r.address().getPort(),
                                r.adminPort()));
        }
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, cfg);
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalHaproxy started = new LocalHaproxy(p, socket, ports);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        for (int i = 0; i < 100; i++) {
            if (!p.isAlive()) fail("haproxy exited: " + Files.readString(log));
            if (ports.values().stream().allMatch(LocalHaproxy::accepts) && Files.exists(socket)) return started;
            Thread.sleep(100);
        }
        started.close();
        fail("haproxy did not listen within 10 s: " + Files.readString(log));
        return started;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The frontend's address for {@code service}. */
    public InetSocketAddress address(String service) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(service));
    }

    /** What HAProxy's health checks say of each replica of {@code service}: "UP", "DOWN", "UP 1/2"... */
    public Map<String, String> states(String service) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String csv = command("show stat");
        List<String> lines = new ArrayList<>(csv.lines().toList());
        for (String line : lines) {
            String[] f = line.split(",", -1);
            // pxname,svname,...; status is the 18th field (index 17)
            if (f.length > 17 && f[0].equals(service) && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND"))
                out.put(f[1], f[17]);
        }
        return out;
    }

    /** Waits until HAProxy reports {@code replica} of {@code service} in a state starting with {@code state}. */
    public void awaitState(String service, String replica, String state, long timeout, TimeUnit unit) throws Exception {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline) {
            if (states(service).getOrDefault(replica, "").startsWith(state)) return;
            Thread.sleep(100);
        }
        fail("haproxy did not see " + service + "/" + replica + " " + state + " within " + timeout + " " + unit + ": "
                + states(service));
    }

    private String command(String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                out.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            return out.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
