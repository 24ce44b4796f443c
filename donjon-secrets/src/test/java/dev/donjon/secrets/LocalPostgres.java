package dev.donjon.secrets;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own for a test: Debian's initdb and pg_ctl in a fresh temporary directory, on a free
 * loopback port, trust authentication for one user. initdb refuses to run as root, so as root the cluster belongs to
 * the {@code postgres} user (runuser). A missing server is installed by .ci/test-packages.sh; if that cannot, the test
 * fails: it never skips.
 */
final class LocalPostgres implements AutoCloseable {

    static final String USER = "donjon";

    private final Path dir;
    private final Path bin;
    private final List<String> asOwner;
    private final int port;

    private LocalPostgres(Path dir, Path bin, List<String> asOwner, int port) {
        this.dir = dir;
        this.bin = bin;
        this.asOwner = asOwner;
        this.port = port;
    }

    static LocalPostgres start() throws Exception {
        Path bin = binaries();
        if (bin == null) {
            Path script = Path.of(System.getProperty("donjon.root", "..")).resolve(".ci/test-packages.sh");
            if (Files.isRegularFile(script)) {
                Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly();
            }
            bin = binaries();
        }
        if (bin == null) fail("PostgreSQL is missing: install Debian's postgresql package (apt-get install postgresql) to run the PostgreSQL store tests");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("donjon-pg-");
        List<String> asOwner = new ArrayList<>();
        if (root) {
            run(List.of("chown", "postgres:", dir.toString()), dir);
            asOwner.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LocalPostgres pg = new LocalPostgres(dir, bin, asOwner, port);
        pg.owner(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync");
        pg.owner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return pg;
    }

    private static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) return null;
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
        }
    }

    private void owner(String... command) throws Exception {
        List<String> c = new ArrayList<>(asOwner);
        c.addAll(List.of(command));
        run(c, dir);
    }

    private static void run(List<String> command, Path dir) throws Exception {
        Path out = Files.createTempFile("donjon-pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 2 minutes");
            }
            if (p.exitValue() != 0) fail(String.join(" ", command) + " failed: " + Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    String jdbcUrl() { return "jdbc:postgresql://127.0.0.1:" + port + "/postgres"; }

    @Override
    public void close() throws Exception {
        try {
            owner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
