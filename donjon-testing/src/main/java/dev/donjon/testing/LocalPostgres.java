package dev.donjon.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Debian's PostgreSQL server, run by a test: a fresh cluster ({@code initdb}) in a temporary directory, on a free
 * loopback port, trusting local connections (for tests only: nothing else listens there). As root, the server runs as
 * Debian's {@code postgres} user (PostgreSQL refuses to run as root). When the binaries are missing this runs the
 * project's .ci/test-packages.sh to install them; if that cannot, {@link #start} fails the test: it never skips.
 * The cluster runs with {@code fsync=off}: tests kill the registry's replicas, never the database.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
    private static final String SUPERUSER = "donjon";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Process server;
    private final Path dir;
    private final int port;
    private String password = "";

    private LocalPostgres(Process server, Path dir, int port) {
        this.server = server;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a new cluster reachable on loopback only; returns once it takes connections. */
    public static LocalPostgres start() throws Exception {
        return start(null);
    }

    /**
     * Starts a new cluster that also takes connections from {@code network} (a CIDR, e.g. the containers' bridge) on
     * every address, with a password (scram-sha-256, {@link #password()}); loopback stays password-less.
     */
    public static LocalPostgres reachableFrom(String network) throws Exception {
        LocalPostgres pg = start(network);
        pg.password = java.util.HexFormat.of()
                .formatHex(java.security.SecureRandom.getInstanceStrong().generateSeed(12));
        try (Connection c = pg.connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + pg.password + "'");
        }
        return pg;
    }

    private static LocalPostgres start(String network) throws Exception {
        Path bin = binaries();
        if (bin == null) {
            TestPackages.install();
            bin = binaries();
        }
        if (bin == null)
            fail("PostgreSQL is missing under " + VERSIONS
                    + ": install Debian's postgresql package (apt-get install postgresql) to run the database tests");
        boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        Path dir = Files.createTempDirectory("donjon-pg-");
        if (root) { // a directory of the postgres user, beside (not under) the test's own 0700 temporary directories
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            view.setOwner(users.lookupPrincipalByName("postgres"));
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            view.setGroup(group);
        }
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Process initdb = new ProcessBuilder(command(
                        root,
                        bin.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        SUPERUSER,
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C",
                        "--no-sync"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("initdb.log").toFile())
                .start();
        if (!initdb.waitFor(2, TimeUnit.MINUTES) || initdb.exitValue() != 0)
            fail("initdb failed: " + Files.readString(dir.resolve("initdb.log")));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        if (network != null)
            Files.writeString(
                    data.resolve("pg_hba.conf"),
                    "host all all " + network + " scram-sha-256\n",
                    java.nio.file.StandardOpenOption.APPEND);
        Process server = new ProcessBuilder(command(
                        root,
                        bin.resolve("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-k",
                        dir.toString(),
                        "-p",
                        Integer.toString(port),
                        "-c",
                        "listen_addresses=" + (network == null ? "127.0.0.1" : "*"),
                        "-c",
                        "fsync=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=200",
                        "-c",
                        "shared_buffers=32MB"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalPostgres started = new LocalPostgres(server, dir, port);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close)); // even if the test JVM is cut short
        for (int i = 0; i < 300; i++) {
            try (Connection c = started.connect("postgres")) {
                return started;
            } catch (SQLException e) {
                // not ready yet
            }
            if (!server.isAlive()) {
                started.close();
                fail("postgres exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        started.close();
        fail("postgres did not take connections on port " + port + " within 30 s");
        return started;
    }

    /** The newest installed server's bin/ directory, or null. */
    private static Path binaries() throws IOException {
        if (!Files.isDirectory(VERSIONS)) return null;
        try (Stream<Path> versions = Files.list(VERSIONS)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(
                            b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        }
    }

    private static List<String> command(boolean root, String... argv) {
        List<String> cmd = new ArrayList<>();
        if (root) cmd.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        cmd.addAll(List.of(argv));
        return cmd;
    }

    /** Creates a new, empty database and returns its JDBC URL. */
    public String createDatabase() throws SQLException {
        String name = "test_" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    /** A connection to {@code database}, as the superuser. */
    public Connection connect(String database) throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl(database));
        ds.setUser(SUPERUSER);
        ds.setConnectTimeout(5);
        return ds.getConnection();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The user to connect as (a superuser; no password on loopback). */
    public String user() {
        return SUPERUSER;
    }

    /** The user's password from other addresses ({@link #reachableFrom}); empty otherwise. */
    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: open sessions are ended) and removes the cluster. */
    @Override
    public synchronized void close() {
        if (server.isAlive()) {
            try {
                // SIGINT is PostgreSQL's fast shutdown; Process.destroy() would send SIGTERM, which waits for every
                // client
                new ProcessBuilder("kill", "-INT", Long.toString(server.pid()))
                        .start()
                        .waitFor(10, TimeUnit.SECONDS);
                if (!server.waitFor(20, TimeUnit.SECONDS))
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                server.destroyForcibly();
            }
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // already gone, or a file the server still held: the temporary directory is cleaned with /tmp
        }
    }
}
