package dev.donjon.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator side: the token, put/rotate/list/delete (values go in, never out), health and metrics; key files. */
class OperatorApiTest {

    @TempDir
    Path dir;

    private BrokerFixture b;

    @BeforeEach
    void start() throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        b = new BrokerFixture(EmbeddedStore.open(dir.resolve("store")), MasterKey.of(raw), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        b.close();
    }

    private static SecretPolicy policy() {
        return SecretPolicy.of(
                List.of("snp", "sim"),
                List.of(),
                List.of(TestKeeps.digestOf(TestKeeps.MODULE)),
                List.of("reg.example/alice/app:1.0.0"),
                List.of());
    }

    @Test
    void putRotateListDeleteNeverShowTheValue() throws Exception {
        OperatorClient op = b.operator();
        assertEquals(1, op.put("api-key", "first".getBytes(StandardCharsets.UTF_8), policy()));
        assertEquals(2, op.rotate("api-key", "second".getBytes(StandardCharsets.UTF_8)));
        List<OperatorClient.Listed> list = op.list();
        assertEquals(1, list.size());
        assertEquals("api-key", list.getFirst().name());
        assertEquals(2, list.getFirst().version());
        assertEquals(policy(), list.getFirst().policy());
        assertTrue(op.delete("api-key"));
        assertFalse(op.delete("api-key"));
        assertTrue(op.list().isEmpty());
        String log = b.auditLog();
        assertFalse(log.contains("first") || log.contains("second"), log);
        assertEquals(
                List.of("put", "rotate", "delete"),
                log.lines()
                        .map(l -> l.replaceAll(".*\"event\":\"([a-z]+)\".*", "$1"))
                        .toList());
    }

    @Test
    void badRequestsAreOneLine() throws Exception {
        OperatorClient op = b.operator();
        BrokerException rotate = assertThrows(BrokerException.class, () -> op.rotate("missing", new byte[1]));
        assertEquals(
                "cannot rotate secret missing (HTTP 400): no secret named 'missing' to rotate (put it first, with its policy)",
                rotate.getMessage());
        assertEquals(
                "a policy must name the workload: a digest (sha-256:HEX) and/or a registry slug",
                assertThrows(IllegalArgumentException.class, () -> SecretPolicy.fromJson("{\"tee\":[\"sim\"]}"))
                        .getMessage());
        assertEquals(
                "cannot put secret -bad (HTTP 400): secret name \"-bad\" must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit",
                assertThrows(BrokerException.class, () -> op.put("-bad", new byte[1], policy()))
                        .getMessage());
    }

    @Test
    void withoutTheTokenNothingHappens() throws Exception {
        OperatorClient wrong = new OperatorClient(
                b.server.operatorUri(),
                TestKeeps.anonymous(b.tls.chain().getFirst()),
                "not-the-token-not-the-token-0123456789");
        BrokerException e = assertThrows(BrokerException.class, () -> wrong.put("x", new byte[1], policy()));
        assertEquals("cannot put secret x (HTTP 401): operator token missing or wrong", e.getMessage());
        assertTrue(b.broker.list().isEmpty());
        assertTrue(
                b.auditLog()
                        .contains(
                                "\"event\":\"operator\",\"decision\":\"refused\",\"status\":401,\"request\":\"PUT /v1/admin/secrets/x\""),
                b.auditLog());
        // the Keep listener has no operator routes at all
        HttpResponse<byte[]> r = b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "v1/admin/secrets");
        assertEquals(404, r.statusCode());
        assertEquals("no such endpoint GET /v1/admin/secrets (Keeps ask GET /v1/secrets/NAME)", BrokerFixture.text(r));
    }

    @Test
    void healthAndMetrics() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(TestKeeps.anonymous(b.tls.chain().getFirst()))
                .build();
        assertEquals(
                "ok", BrokerFixture.text(b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "healthz")));
        assertEquals(
                "ready",
                BrokerFixture.text(b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "readyz")));
        assertEquals(
                401,
                b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "v1/secrets/db")
                        .statusCode()); // a refusal to count
        HttpResponse<String> m = http.send(
                HttpRequest.newBuilder(b.server.operatorUri().resolve("metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode());
        assertTrue(
                m.body().contains("donjon_secrets_decisions_total{decision=\"refused\",reason=\"no_certificate\"} 1.0"),
                m.body());
        // the edge's metrics beside the broker's
        assertTrue(m.body().contains("# TYPE donjon_http_connections gauge"), m.body());
    }

    /** A store that can be taken away, as a PostgreSQL server can. */
    private static final class FlakyStore implements SecretStore {
        private final SecretStore inner;
        volatile boolean away;

        FlakyStore(SecretStore inner) {
            this.inner = inner;
        }

        @Override
        public java.util.Optional<MasterKey.Sealed> keyCheck() throws BrokerException {
            return inner.keyCheck();
        }

        @Override
        public boolean initKeyCheck(MasterKey.Sealed check) throws BrokerException {
            return inner.initKeyCheck(check);
        }

        @Override
        public java.util.Optional<SecretRecord> get(String name) throws BrokerException {
            return inner.get(name);
        }

        @Override
        public java.util.List<SecretRecord> list() throws BrokerException {
            return inner.list();
        }

        @Override
        public boolean put(SecretRecord record) throws BrokerException {
            return inner.put(record);
        }

        @Override
        public boolean delete(String name) throws BrokerException {
            return inner.delete(name);
        }

        @Override
        public java.util.Optional<String> unavailable() {
            return away ? java.util.Optional.of("the test store is away") : java.util.Optional.empty();
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void notReadyWhileTheStoreIsAway() throws Exception {
        b.close();
        FlakyStore store = new FlakyStore(EmbeddedStore.open(dir.resolve("flaky")));
        b = new BrokerFixture(store, MasterKey.of(new byte[32]), Clock.systemUTC());
        HttpClient http = HttpClient.newBuilder()
                .sslContext(TestKeeps.anonymous(b.tls.chain().getFirst()))
                .build();
        assertEquals(
                200,
                http.send(
                                HttpRequest.newBuilder(b.server.operatorUri().resolve("readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        store.away = true;
        for (URI base : new URI[] {b.keeps(), b.server.operatorUri()}) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(base.resolve("readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, r.statusCode());
            assertEquals("not ready: the test store is away", r.body().strip());
        }
        assertEquals(
                "ok",
                BrokerFixture.text(b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "healthz")),
                "alive all the same");
    }

    @Test
    void keyAndTokenFilesMustBeOwnerOnly() throws Exception {
        Path key = dir.resolve("master.key");
        MasterKey.generate(key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        MasterKey.read(key);
        assertEquals(
                key + " exists: a master key is never overwritten",
                assertThrows(BrokerException.class, () -> MasterKey.generate(key))
                        .getMessage());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(
                "master key " + key + " is accessible to others (rw-r--r--): chmod 600 " + key,
                assertThrows(BrokerException.class, () -> MasterKey.read(key)).getMessage());
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "abc", java.nio.charset.StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        assertEquals(
                "master key " + shortKey + " is not a 32-byte key (raw, base64 or hex)",
                assertThrows(BrokerException.class, () -> MasterKey.read(shortKey))
                        .getMessage());
        Path token = dir.resolve("operator.token");
        OperatorToken.generate(token);
        assertTrue(OperatorToken.read(token).matches(java.util.Optional.of("Bearer " + OperatorToken.text(token))));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw----"));
        assertThrows(BrokerException.class, () -> OperatorToken.read(token));
    }

    @Test
    void anotherMasterKeyCannotOpenTheStore() throws Exception {
        b.broker.put("db", new byte[] {1}, policy(), "test");
        b.close();
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        BrokerException e = assertThrows(
                BrokerException.class,
                () -> new BrokerFixture(
                        EmbeddedStore.open(dir.resolve("store")), MasterKey.of(other), Clock.systemUTC()));
        assertEquals(
                "the master key is not the one the secret store " + dir.resolve("store/secrets.json")
                        + " was made with",
                e.getMessage());
        b = new BrokerFixture(EmbeddedStore.open(dir.resolve("empty")), MasterKey.of(other), Clock.systemUTC());
    }
}
