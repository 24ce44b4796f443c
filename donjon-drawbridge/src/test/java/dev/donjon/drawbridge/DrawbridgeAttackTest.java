package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.server.probe.RealClient;
import dev.donjon.server.probe.Slowloris;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on Drawbridge's HTTP edge (issue 12). */
class DrawbridgeAttackTest {
    static final int SLOW = Integer.getInteger("donjon.test.slowClients", 2000);

    @TempDir
    Path dir;

    RegistryFixture reg;
    DrawbridgeClient alice;

    @BeforeEach
    void start() throws Exception {
        reg = new RegistryFixture(dir);
        alice = reg.client(RegistryFixture.ALICE_TOKEN);
        alice.registerUser("alice", "alice-subject");
        alice.registerRepository("alice", "hello", true);
        alice.registerRepository("alice", "secret", false);
    }

    @AfterEach
    void stop() {
        reg.close();
    }

    @Test
    void realClientsAreServedWhileSlowClientsStallTheTlsHandshake() throws Exception {
        URI tags = URI.create(reg.server.baseUri() + "/api/v0.1.0/alice/hello/_tag");
        for (Slowloris.Mode mode : Slowloris.Mode.values()) {
            try (Slowloris attack = Slowloris.start(reg.server.address(), SLOW, mode, Duration.ofSeconds(3))) {
                attack.awaitOpen(SLOW * 9 / 10, Duration.ofSeconds(60));
                RealClient.Result r = RealClient.measure(
                        tags, reg.anonymousTls(), 10, Duration.ofMillis(100), Duration.ofSeconds(10));
                assertEquals(0, r.failures(), mode + " slowloris of " + attack.open() + " connections: " + r);
            }
        }
    }

    @Test
    void privateRepositoriesAndUsersAnswerExactlyLikeMissingOnes() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        String base = reg.server.baseUri() + "/api/v0.1.0/";
        // what exists but may not be seen, beside what does not exist at all: same status, same body
        List<List<String>> pairs = List.of(
                List.of("alice/secret", "alice/nothing"),
                List.of("alice/secret/_tag", "alice/nothing/_tag"),
                List.of("alice/secret/_tag/1.0.0", "alice/nothing/_tag/1.0.0"),
                List.of("alice/secret/_tag/1.0.0/tree", "alice/nothing/_tag/1.0.0/tree"),
                List.of("alice", "nobody"),
                List.of("alice/secret", "nobody/secret"));
        for (String token : new String[] {null, RegistryFixture.BOB_TOKEN}) {
            for (List<String> pair : pairs) {
                HttpResponse<String> hidden = get(http, base + pair.get(0), token);
                HttpResponse<String> missing = get(http, base + pair.get(1), token);
                assertEquals(404, hidden.statusCode(), pair.get(0) + " as " + token + ": " + hidden.body());
                assertEquals(missing.statusCode(), hidden.statusCode(), pair + " as " + token);
                assertEquals(names(missing.body()), names(hidden.body()), pair + " as " + token);
            }
        }
        assertEquals(
                200,
                get(http, base + "alice/secret", RegistryFixture.ALICE_TOKEN).statusCode());
    }

    @Test
    void aTokenHolderCannotRegisterAnotherUserName() {
        DrawbridgeClient bob = reg.client(RegistryFixture.BOB_TOKEN);
        bob.registerUser("bob", "bob-subject");
        RegistryException e = assertThrows(RegistryException.class, () -> bob.registerUser("carol", "bob-subject"));
        assertEquals(403, e.status(), e.getMessage());
        assertThrows(RegistryException.class, () -> reg.client(null).userInfo("carol"));
    }

    @Test
    void anOverLimitBodyGetsA413TheClientCanRead() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(reg.server.baseUri() + "/api/v0.1.0/dave"))
                        .header("Authorization", "Bearer " + RegistryFixture.ALICE_TOKEN)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[4 << 20]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("larger than"), r.body());
    }

    /** The answer with the names in it blanked: only the names may differ. */
    private static String names(String body) {
        return body.replaceAll("alice|secret|nothing|nobody", "X");
    }

    private static HttpResponse<String> get(HttpClient http, String uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHeadAndGetFloodDoesNotRehashStoredBlobsButAChangedBlobIsStillRefused() throws Exception {
        Path example = Path.of(System.getProperty("donjon.shared", "../../shared"), "wasm", "wasm_example");
        alice.publish("alice", "hello", "0.1.0", PackageTree.read(example), java.util.Optional.empty());
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        URI wasm = URI.create(reg.server.baseUri() + "/api/v0.1.0/alice/hello/_tag/0.1.0/tree/main.wasm");
        long before = reg.store.rehashes();
        for (int i = 0; i < 200; i++) {
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(wasm)
                                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        }
        for (int i = 0; i < 20; i++)
            assertEquals(
                    200,
                    http.send(HttpRequest.newBuilder(wasm).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        assertEquals(before, reg.store.rehashes(), "verified at write: no request re-hashes an unchanged blob");

        // a blob changed on disk is noticed by its file identity, hashed again and refused
        Path blob = reg.storeDir
                .resolve("blobs")
                .resolve(ContentDigest.of(java.nio.file.Files.readAllBytes(example.resolve("main.wasm")))
                        .sha256Hex());
        byte[] bytes = java.nio.file.Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        java.nio.file.attribute.FileTime mtime = java.nio.file.Files.getLastModifiedTime(blob);
        java.nio.file.Files.write(blob, bytes);
        java.nio.file.Files.setLastModifiedTime(blob, mtime); // an attacker restoring the mtime still moves the ctime
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(wasm).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("modified on disk"), r.body());
        assertEquals(before + 1, reg.store.rehashes());
    }
}
