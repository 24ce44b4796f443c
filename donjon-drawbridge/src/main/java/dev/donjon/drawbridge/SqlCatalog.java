package dev.donjon.drawbridge;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.donjon.common.OneLine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The catalog in PostgreSQL, so that several registry replicas serve one registry: users, repositories, tags and
 * nodes are rows (schema: {@code db/V1__catalog.sql}, applied by Flyway at start, under Flyway's lock so replicas
 * starting together migrate once). Every write is one INSERT, committed before the request is answered; the
 * database's keys make "first writer wins" hold across replicas as the file store's hard links do on one disk.
 * Connections come from a HikariCP pool.
 */
final class SqlCatalog implements Catalog {

    /** How to reach the database: a JDBC URL ({@code jdbc:postgresql://host:port/db}), a user and a password. */
    record Settings(String jdbcUrl, String user, Optional<String> password, int poolSize, Duration connectTimeout) {
        Settings {
            if (!jdbcUrl.startsWith("jdbc:postgresql:"))
                throw new IllegalArgumentException("the database URL must be jdbc:postgresql://HOST[:PORT]/DATABASE");
            if (poolSize < 1) throw new IllegalArgumentException("the pool size must be at least 1");
        }

        static Settings of(String jdbcUrl, String user, Optional<String> password) {
            return new Settings(jdbcUrl, user, password, 16, Duration.ofSeconds(5));
        }
    }

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final HikariDataSource pool;

    private SqlCatalog(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Connects, brings the schema up to date, and returns the catalog; fails (one line) if the database cannot be used. */
    static SqlCatalog open(Settings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        settings.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(settings.connectTimeout().toMillis());
        config.setPoolName("drawbridge-catalog");
        // start even if the database is down for now: readiness says so, and requests answer 503 until it is back
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure(SqlCatalog.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:dev/donjon/drawbridge/db")
                    .table("drawbridge_schema_history")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException.Unavailable(
                    "cannot prepare the database " + settings.jdbcUrl() + ": " + OneLine.of(e), e);
        }
        return new SqlCatalog(pool);
    }

    @Override
    public void createUser(String user, UserRecord record) {
        write("registering user '" + user + "'", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO users (name, subject, record) VALUES (?, ?, ?)")) {
                s.setString(1, user);
                s.setString(2, record.subject());
                s.setString(3, text(record.toJson()));
                s.executeUpdate();
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
                Optional<String> owned =
                        queryOne(c, "SELECT name FROM users WHERE subject = ?", r -> r.getString(1), record.subject());
                if (owned.isPresent() && !owned.get().equals(user))
                    throw new StoreException.AlreadyRegistered(
                            "subject '" + record.subject() + "' already owns user '" + owned.get() + "'");
                throw new StoreException.Conflict("user '" + user + "' already exists");
            }
        });
    }

    @Override
    public Optional<UserRecord> user(String user) {
        return read(
                "reading user '" + user + "'",
                c -> queryOne(
                        c,
                        "SELECT record FROM users WHERE name = ?",
                        r -> UserRecord.parse(bytes(r.getString(1))),
                        user));
    }

    @Override
    public void createRepository(String user, String repo, RepositoryConfig config) {
        write("registering repository '" + user + "/" + repo + "'", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO repositories (owner, name, config) VALUES (?, ?, ?)")) {
                s.setString(1, user);
                s.setString(2, repo);
                s.setString(3, text(config.toJson()));
                s.executeUpdate();
            } catch (SQLException e) {
                if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.NotFound("user '" + user + "' does not exist");
                if (UNIQUE_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.Conflict("repository '" + user + "/" + repo + "' already exists");
                throw e;
            }
        });
    }

    @Override
    public Optional<RepositoryConfig> repository(String user, String repo) {
        return read(
                "reading repository '" + user + "/" + repo + "'",
                c -> queryOne(
                        c,
                        "SELECT config FROM repositories WHERE owner = ? AND name = ?",
                        r -> RepositoryConfig.parse(bytes(r.getString(1))),
                        user,
                        repo));
    }

    @Override
    public List<String> tags(String user, String repo) {
        return read("listing tags", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT name FROM tags WHERE owner = ? AND repo = ? ORDER BY name")) {
                s.setString(1, user);
                s.setString(2, repo);
                List<String> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(r.getString(1));
                }
                return out;
            }
        });
    }

    @Override
    public void createTag(String user, String repo, String tag, Meta entry) {
        write("storing tag " + tag, c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO tags (owner, repo, name, entry, blob) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, user);
                s.setString(2, repo);
                s.setString(3, tag);
                s.setString(4, text(RegistryJson.writeEntry(entry)));
                s.setString(5, entry.digest().sha256Hex());
                s.executeUpdate();
            } catch (SQLException e) {
                if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.NotFound("repository '" + user + "/" + repo + "' does not exist");
                if (UNIQUE_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.Conflict("tag " + tag + " already exists");
                throw e;
            }
        });
    }

    @Override
    public Optional<Meta> tag(String user, String repo, String tag) {
        return read(
                "reading tag " + tag,
                c -> queryOne(
                        c,
                        "SELECT entry FROM tags WHERE owner = ? AND repo = ? AND name = ?",
                        r -> RegistryJson.readEntry(bytes(r.getString(1))),
                        user,
                        repo,
                        tag));
    }

    @Override
    public void createNode(String user, String repo, String tag, TreePath path, Meta entry) {
        write("storing tree node '/" + path + "'", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO nodes (owner, repo, tag, path, entry, blob) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, user);
                s.setString(2, repo);
                s.setString(3, tag);
                s.setString(4, path.toString());
                s.setString(5, text(RegistryJson.writeEntry(entry)));
                s.setString(6, entry.digest().sha256Hex());
                s.executeUpdate();
            } catch (SQLException e) {
                if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.NotFound("tag " + tag + " does not exist");
                if (UNIQUE_VIOLATION.equals(e.getSQLState()))
                    throw new StoreException.Conflict("tree node '/" + path + "' already exists");
                throw e;
            }
        });
    }

    @Override
    public Optional<Meta> node(String user, String repo, String tag, TreePath path) {
        return read(
                "reading tree node '/" + path + "'",
                c -> queryOne(
                        c,
                        "SELECT entry FROM nodes WHERE owner = ? AND repo = ? AND tag = ? AND path = ?",
                        r -> RegistryJson.readEntry(bytes(r.getString(1))),
                        user,
                        repo,
                        tag,
                        path.toString()));
    }

    @Override
    public List<String> blobs() {
        return read("listing blobs", c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT blob FROM tags UNION SELECT blob FROM nodes ORDER BY 1");
                    ResultSet r = s.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (r.next()) out.add(r.getString(1));
                return out;
            }
        });
    }

    @Override
    public boolean ready() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "PostgreSQL " + pool.getJdbcUrl();
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- plumbing ----

    private interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private interface Write {
        void apply(Connection c) throws SQLException;
    }

    private <T> T read(String doing, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(doing, e);
        }
    }

    /** One statement in auto-commit: committed (durably, as the database is configured) before this returns. */
    private void write(String doing, Write work) {
        read(doing, c -> {
            work.apply(c);
            return null;
        });
    }

    private interface Row<T> {
        T of(ResultSet r) throws SQLException;
    }

    private static <T> Optional<T> queryOne(Connection c, String sql, Row<T> row, String... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setString(i + 1, args[i]);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(row.of(r)) : Optional.empty();
            }
        }
    }

    /** The database could not be reached or failed: the request may be retried (503), nothing was half-written. */
    private static StoreException failure(String doing, SQLException e) {
        return new StoreException.Unavailable("database failure while " + doing + ": " + OneLine.of(e), e);
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
