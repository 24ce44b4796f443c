package dev.donjon.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.LocalPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store that scales out: two brokers on one PostgreSQL database (a cluster this test starts itself). */
class PostgresStoreTest {

    private static LocalPostgres pg;
    private static String database;

    @BeforeAll
    static void start() throws Exception {
        pg = LocalPostgres.start();
        database = pg.createDatabase();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static PostgresStore store() throws BrokerException {
        return PostgresStore.open(database, pg.user(), new char[0]);
    }

    @Test
    void twoBrokersShareTheDatabaseAndTheKeyCheckRefusesAnotherKey() throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        SecretPolicy policy = SecretPolicy.of(
                List.of("sim"), List.of(), List.of(TestKeeps.digestOf(TestKeeps.MODULE)), List.of(), List.of());
        try (BrokerFixture first = new BrokerFixture(store(), MasterKey.of(raw), Clock.systemUTC());
                BrokerFixture second = new BrokerFixture(store(), MasterKey.of(raw), Clock.systemUTC())) {
            assertEquals(java.util.Optional.empty(), first.broker.store().unavailable(), "ready: the database answers");
            assertEquals(
                    1,
                    first.broker
                            .put("pg-secret", "v1".getBytes(StandardCharsets.UTF_8), policy, "test")
                            .version());
            assertEquals(
                    2,
                    second.broker
                            .rotate("pg-secret", "v2".getBytes(StandardCharsets.UTF_8), "test")
                            .version());
            // a Keep the second broker's CA certified is judged by the second broker, reading what the first stored
            TestKeeps.Identity keep = TestKeeps.issued(
                    second.steward,
                    TestKeeps.claims("sim", TestKeeps.MODULE, false),
                    Instant.now().minusSeconds(60),
                    Duration.ofHours(1));
            HttpResponse<byte[]> r = second.get(keep.client(second.tls.chain().getFirst()), "v1/secrets/pg-secret");
            assertEquals(200, r.statusCode(), BrokerFixture.text(r));
            assertEquals("v2", new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("2", r.headers().firstValue("Donjon-Secret-Version").orElseThrow());
            assertEquals(
                    List.of("pg-secret"),
                    first.broker.list().stream().map(SecretRecord::name).toList());
            // optimistic: a write based on a stale version loses
            SecretRecord stale = first.broker.store().get("pg-secret").orElseThrow();
            assertFalse(first.broker
                    .store()
                    .put(new SecretRecord(
                            "pg-secret",
                            stale.version(),
                            stale.policy(),
                            stale.value(),
                            stale.created(),
                            stale.updated())));
            assertTrue(first.broker.delete("pg-secret", "test"));
            assertTrue(second.broker.store().get("pg-secret").isEmpty());
        }
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        try (PostgresStore s = store()) {
            BrokerException e = assertThrows(
                    BrokerException.class,
                    () -> new SecretBroker(
                            s,
                            MasterKey.of(other),
                            List.of(dev.donjon.steward.CertificateAuthority.generate(Instant.now())
                                    .certificate()),
                            AuditLog.to(java.io.OutputStream.nullOutputStream(), "null"),
                            new BrokerMetrics(),
                            Clock.systemUTC()));
            assertEquals(
                    "the master key is not the one the secret store " + database + " was made with", e.getMessage());
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLine() {
        BrokerException e = assertThrows(
                BrokerException.class, () -> PostgresStore.open("jdbc:postgresql://127.0.0.1:1/x", "u", new char[0]));
        assertTrue(e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/x: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
