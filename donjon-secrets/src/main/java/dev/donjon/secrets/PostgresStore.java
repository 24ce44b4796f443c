package dev.donjon.secrets;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The store that scales out: PostgreSQL through a HikariCP pool, its schema managed by Flyway
 * ({@code dev/donjon/secrets/db/migration}). Several brokers may share one database: a change is written only if the
 * version it replaces is still the stored one, and the key check is set once. The database holds sealed values and
 * policies only; its administrators cannot read a secret, nor loosen a policy without the open failing.
 */
public final class PostgresStore implements SecretStore {

    private static final String KEY_CHECK = "key-check";

    private final HikariDataSource pool;
    private final String url;

    private PostgresStore(HikariDataSource pool, String url) {
        this.pool = pool;
        this.url = url;
    }

    /** Connects, migrates the schema, and checks that it answers. */
    public static PostgresStore open(String jdbcUrl, String user, char[] password) throws BrokerException {
        if (!jdbcUrl.startsWith("jdbc:postgresql:"))
            throw new BrokerException("--postgres must be a jdbc:postgresql://HOST:PORT/DB URL");
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(new String(password));
        c.setMaximumPoolSize(8);
        c.setPoolName("donjon-secrets");
        c.setInitializationFailTimeout(10_000);
        // a request (or a readiness probe) waits at most this long for a connection when the database is away
        c.setConnectionTimeout(5_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new BrokerException("cannot connect to " + jdbcUrl + ": " + root(e));
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:dev/donjon/secrets/db/migration")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new BrokerException("cannot prepare the schema in " + jdbcUrl + ": " + root(e));
        }
        return new PostgresStore(pool, jdbcUrl);
    }

    @Override
    public Optional<MasterKey.Sealed> keyCheck() throws BrokerException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement("SELECT value FROM donjon_secret_meta WHERE key = ?")) {
            q.setString(1, KEY_CHECK);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) return Optional.empty();
                byte[] v = r.getBytes(1);
                return Optional.of(new MasterKey.Sealed(
                        java.util.Arrays.copyOf(v, 12), java.util.Arrays.copyOfRange(v, 12, v.length)));
            }
        } catch (SQLException e) {
            throw failed("read the key check", e);
        }
    }

    @Override
    public boolean initKeyCheck(MasterKey.Sealed check) throws BrokerException {
        byte[] v = new byte[check.nonce().length + check.ciphertext().length];
        System.arraycopy(check.nonce(), 0, v, 0, 12);
        System.arraycopy(check.ciphertext(), 0, v, 12, check.ciphertext().length);
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement(
                        "INSERT INTO donjon_secret_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
            q.setString(1, KEY_CHECK);
            q.setBytes(2, v);
            return q.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("write the key check", e);
        }
    }

    @Override
    public Optional<SecretRecord> get(String name) throws BrokerException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement(
                        "SELECT name, version, policy, nonce, ciphertext, created, updated FROM donjon_secret WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? Optional.of(record(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read secret " + name, e);
        }
    }

    @Override
    public List<SecretRecord> list() throws BrokerException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement(
                        "SELECT name, version, policy, nonce, ciphertext, created, updated FROM donjon_secret ORDER BY name");
                ResultSet r = q.executeQuery()) {
            List<SecretRecord> out = new ArrayList<>();
            while (r.next()) out.add(record(r));
            return out;
        } catch (SQLException e) {
            throw failed("list the secrets", e);
        }
    }

    private static SecretRecord record(ResultSet r) throws SQLException, BrokerException {
        String name = r.getString(1);
        try {
            return new SecretRecord(
                    name,
                    r.getLong(2),
                    SecretPolicy.fromJson(r.getString(3)),
                    new MasterKey.Sealed(r.getBytes(4), r.getBytes(5)),
                    r.getTimestamp(6).toInstant(),
                    r.getTimestamp(7).toInstant());
        } catch (IllegalArgumentException e) {
            throw new BrokerException("secret " + name + " is damaged in the store: " + e.getMessage());
        }
    }

    @Override
    public boolean put(SecretRecord s) throws BrokerException {
        String sql = s.version() == 1
                ? "INSERT INTO donjon_secret (policy, nonce, ciphertext, created, updated, name, version) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"
                : "UPDATE donjon_secret SET policy = ?, nonce = ?, ciphertext = ?, created = ?, updated = ?, version = version + 1 WHERE name = ? AND version = ?";
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement(sql)) {
            q.setString(1, s.policy().toJson());
            q.setBytes(2, s.value().nonce());
            q.setBytes(3, s.value().ciphertext());
            q.setTimestamp(4, Timestamp.from(s.created()));
            q.setTimestamp(5, Timestamp.from(s.updated()));
            q.setString(6, s.name());
            q.setLong(7, s.version() == 1 ? 1 : s.version() - 1);
            return q.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("write secret " + s.name(), e);
        }
    }

    @Override
    public boolean delete(String name) throws BrokerException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement("DELETE FROM donjon_secret WHERE name = ?")) {
            q.setString(1, name);
            return q.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("delete secret " + name, e);
        }
    }

    private BrokerException failed(String what, SQLException e) {
        return new BrokerException("PostgreSQL " + url + ": cannot " + what + ": " + root(e));
    }

    private static String root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** The database answers a validity check within 2 s (HikariCP hands out a live connection). */
    @Override
    public Optional<String> unavailable() {
        try (Connection db = pool.getConnection()) {
            return db.isValid(2) ? Optional.empty() : Optional.of("the PostgreSQL store " + url + " does not answer");
        } catch (SQLException e) {
            return Optional.of("the PostgreSQL store " + url + " is unreachable: " + dev.donjon.common.OneLine.of(e));
        }
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public void close() {
        pool.close();
    }
}
