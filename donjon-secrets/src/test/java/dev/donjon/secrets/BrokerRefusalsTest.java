package dev.donjon.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.steward.CertificateAuthority;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a client that should not have a secret is refused, over real mutual TLS (written before the broker's
 * release path; each refusal is also in the audit log, with its reason and the client's claims, and no value).
 */
class BrokerRefusalsTest {

    private static final String VALUE = "correct horse battery staple";

    @TempDir
    Path dir;

    private BrokerFixture b;

    private final byte[] rawKey = new byte[32];

    @BeforeEach
    void start() throws Exception {
        new SecureRandom().nextBytes(rawKey);
        b = new BrokerFixture(EmbeddedStore.open(dir.resolve("store")), MasterKey.of(rawKey), Clock.systemUTC());
        b.broker.put(
                "db",
                VALUE.getBytes(StandardCharsets.UTF_8),
                SecretPolicy.of(
                        List.of("sim"),
                        List.of(TestKeeps.MEASUREMENT),
                        List.of(TestKeeps.digestOf(TestKeeps.MODULE)),
                        List.of(),
                        List.of()),
                "test");
    }

    @AfterEach
    void stop() {
        b.close();
    }

    private TestKeeps.Identity keep(CertificateAuthority ca, String tee, byte[] module, boolean debug)
            throws Exception {
        return TestKeeps.issued(
                ca, TestKeeps.claims(tee, module, debug), Instant.now().minusSeconds(60), Duration.ofDays(1));
    }

    private SSLContext client(TestKeeps.Identity id) throws Exception {
        return id.client(b.tls.chain().getFirst());
    }

    private void refused(HttpResponse<byte[]> r, int status, String reason) {
        assertEquals(status, r.statusCode(), BrokerFixture.text(r));
        assertEquals(reason, BrokerFixture.text(r));
        assertFalse(new String(r.body(), StandardCharsets.UTF_8).contains(VALUE));
    }

    /** A HEAD on the release route would be a release decision (audited as released, counted) whose value is never sent. */
    @Test
    void headIsNotAReleaseDecision() throws Exception {
        var http = java.net.http.HttpClient.newBuilder()
                .sslContext(client(keep(b.steward, "sim", TestKeeps.MODULE, false)))
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<byte[]> r = http.send(
                java.net.http.HttpRequest.newBuilder(b.keeps().resolve("v1/secrets/db"))
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, r.statusCode());
        assertFalse(b.auditLog().contains("\"event\":\"release\""), b.auditLog());
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        refused(
                b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "v1/secrets/db"),
                401,
                "no client certificate: present the certificate your Steward issued");
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        TestKeeps.Identity old = TestKeeps.issued(
                b.steward,
                TestKeeps.claims("sim", TestKeeps.MODULE, false),
                Instant.now().minus(Duration.ofDays(3)),
                Duration.ofDays(1));
        HttpResponse<byte[]> r = b.get(client(old), "v1/secrets/db");
        assertEquals(401, r.statusCode());
        assertTrue(BrokerFixture.text(r).startsWith("the client certificate expired at "), BrokerFixture.text(r));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        CertificateAuthority other = CertificateAuthority.generate(Instant.now().minusSeconds(3600));
        HttpResponse<byte[]> r = b.get(client(keep(other, "sim", TestKeeps.MODULE, false)), "v1/secrets/db");
        assertEquals(401, r.statusCode());
        assertTrue(
                BrokerFixture.text(r).contains("does not chain to the configured Steward CA"), BrokerFixture.text(r));
    }

    @Test
    void aCertificateFromAnotherOrganisationsStewardIsRefusedWithItsIssuer() throws Exception {
        HttpResponse<byte[]> r =
                b.get(client(keep(TestKeeps.otherCa(dir), "sim", TestKeeps.MODULE, false)), "v1/secrets/db");
        refused(
                r,
                401,
                "the client certificate (issuer CN=Someone Else's Steward CA) does not chain to the configured Steward CA");
    }

    @Test
    void anotherWorkloadIsRefused() throws Exception {
        byte[] other = "another module".getBytes(StandardCharsets.UTF_8);
        refused(
                b.get(client(keep(b.steward, "sim", other, false)), "v1/secrets/db"),
                403,
                "secret 'db' is not released to this Keep: the Keep's workload " + TestKeeps.digestOf(other)
                        + " is not one the policy allows");
    }

    @Test
    void aDebugTeeOrAnotherTeeIsRefused() throws Exception {
        refused(
                b.get(client(keep(b.steward, "sim", TestKeeps.MODULE, true)), "v1/secrets/db"),
                403,
                "secret 'db' is not released to this Keep: the Keep's TEE runs in debug mode (the host can read its memory)");
        refused(
                b.get(client(keep(b.steward, "snp", TestKeeps.MODULE, false)), "v1/secrets/db"),
                403,
                "secret 'db' is not released to this Keep: the Keep's TEE snp is not one the policy allows");
    }

    @Test
    void anUnknownSecretIsNotFoundEvenForAnAttestedKeep() throws Exception {
        refused(
                b.get(client(keep(b.steward, "sim", TestKeeps.MODULE, false)), "v1/secrets/nope"),
                404,
                "no secret named 'nope'");
    }

    @Test
    void tls12IsRefused() throws Exception {
        SSLContext old = SSLContext.getInstance("TLSv1.2");
        old.init(
                null,
                new javax.net.ssl.TrustManager[] {
                    new javax.net.ssl.X509TrustManager() {
                        public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

                        public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

                        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                            return new java.security.cert.X509Certificate[0];
                        }
                    }
                },
                null);
        try (var s = (javax.net.ssl.SSLSocket)
                old.getSocketFactory().createSocket("127.0.0.1", b.keeps().getPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThrows(java.io.IOException.class, s::startHandshake);
        }
    }

    @Test
    void aPolicyLoosenedInTheStoreReleasesNothing() throws Exception {
        b.close();
        Path store = dir.resolve("store/secrets.json");
        String other = TestKeeps.digestOf("the attacker's module".getBytes(StandardCharsets.UTF_8));
        Files.writeString(store, Files.readString(store).replace(TestKeeps.digestOf(TestKeeps.MODULE), other));
        b = new BrokerFixture(EmbeddedStore.open(dir.resolve("store")), MasterKey.of(rawKey), Clock.systemUTC());
        HttpResponse<byte[]> r = b.get(
                client(keep(b.steward, "sim", "the attacker's module".getBytes(StandardCharsets.UTF_8), false)),
                "v1/secrets/db");
        refused(
                r,
                500,
                "secret 'db' version 1 does not open under the master key (another key, or altered in the store)");
    }

    @Test
    void everyDecisionIsAuditedWithoutTheValue() throws Exception {
        b.get(TestKeeps.anonymous(b.tls.chain().getFirst()), "v1/secrets/db");
        b.get(client(keep(b.steward, "sim", "x".getBytes(StandardCharsets.UTF_8), false)), "v1/secrets/db");
        HttpResponse<byte[]> ok = b.get(client(keep(b.steward, "sim", TestKeeps.MODULE, false)), "v1/secrets/db");
        assertEquals(200, ok.statusCode());
        assertEquals(VALUE, new String(ok.body(), StandardCharsets.UTF_8));
        assertEquals("1", ok.headers().firstValue("Donjon-Secret-Version").orElseThrow());
        assertEquals("no-store", ok.headers().firstValue("Cache-Control").orElseThrow());
        String log = b.auditLog();
        assertFalse(log.contains(VALUE), log);
        List<JsonNode> lines = log.lines()
                .map(l -> {
                    try {
                        return new ObjectMapper().readTree(l);
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
        assertEquals("put", lines.get(0).get("event").asText());
        JsonNode anonymous = lines.get(1);
        assertEquals("refused", anonymous.get("decision").asText());
        assertEquals(401, anonymous.get("status").asInt());
        assertFalse(anonymous.has("claims"));
        JsonNode wrong = lines.get(2);
        assertEquals(403, wrong.get("status").asInt());
        assertEquals("sim", wrong.get("claims").get("tee").asText());
        assertEquals(
                TestKeeps.digestOf("x".getBytes(StandardCharsets.UTF_8)),
                wrong.get("claims").get("workload").get("digest").asText());
        assertTrue(wrong.get("client").get("issuer").asText().contains("CN="), wrong.toString());
        JsonNode released = lines.get(3);
        assertEquals("released", released.get("decision").asText());
        assertEquals(1, released.get("version").asInt());
        assertEquals(
                TestKeeps.digestOf(TestKeeps.MODULE),
                released.get("claims").get("workload").get("digest").asText());
    }
}
