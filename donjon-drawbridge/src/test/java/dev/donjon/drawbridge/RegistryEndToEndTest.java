package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryEndToEndTest {
    static final Path EXAMPLE = Path.of(System.getProperty("donjon.shared", "../../shared"), "wasm", "wasm_example");

    @TempDir
    Path dir;

    RegistryFixture reg;
    DrawbridgeClient alice;

    @BeforeEach
    void start() throws IOException {
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

    private PackageFetcher fetcher(SSLContext tls) {
        return new PackageFetcher(tls, Optional.empty(), Optional.empty(), Optional.of(reg.server.baseUri()));
    }

    @Test
    void publishedPackageIsFetchedBackVerified() throws IOException {
        PackageTree tree = PackageTree.read(EXAMPLE);
        alice.publish("alice", "hello", "0.1.0", tree, Optional.empty());

        FetchedPackage pkg = fetcher(reg.anonymousTls()).fetch("alice/hello:0.1.0");
        assertArrayEquals(Files.readAllBytes(EXAMPLE.resolve("main.wasm")), pkg.wasm());
        assertArrayEquals(
                Files.readAllBytes(EXAMPLE.resolve("Enarx.toml")), pkg.config().orElseThrow());
        assertFalse(pkg.signed());
        assertEquals(List.of("0.1.0"), reg.client(null).tags("alice", "hello"));
        assertTrue(reg.client(null).repositoryInfo("alice", "hello").isPublic());

        // the same package by tag URL, and the directory document is the one the client computed
        FetchedPackage byUrl =
                fetcher(reg.anonymousTls()).fetch(reg.server.baseUri() + "/api/v0.1.0/alice/hello/_tag/0.1.0");
        assertArrayEquals(pkg.wasm(), byUrl.wasm());
        assertArrayEquals(
                tree.directoryJson(),
                reg.client(null)
                        .node("alice", "hello", "0.1.0", TreePath.ROOT, 1 << 20)
                        .body());

        // tags are immutable: publishing the same package again is a no-op (a retry), a different one a conflict
        alice.publish("alice", "hello", "0.1.0", tree, Optional.empty());
        RegistryException again = assertThrows(
                RegistryException.class,
                () -> alice.publish(
                        "alice", "hello", "0.1.0", PackageTree.read(EXAMPLE.resolve("main.wasm")), Optional.empty()));
        assertEquals(409, again.status());
        assertArrayEquals(
                pkg.config().orElseThrow(),
                fetcher(reg.anonymousTls()).fetch("alice/hello:0.1.0").config().orElseThrow());
    }

    @Test
    void singleWasmFileIsPublishedAsMainWasm() throws IOException {
        alice.publish(
                "alice",
                "hello",
                "1.0.0-rc.1+build.5",
                PackageTree.read(EXAMPLE.resolve("main.wasm")),
                Optional.empty());
        FetchedPackage pkg = fetcher(reg.anonymousTls()).fetch("alice/hello:1.0.0-rc.1+build.5");
        assertArrayEquals(Files.readAllBytes(EXAMPLE.resolve("main.wasm")), pkg.wasm());
        assertTrue(pkg.config().isEmpty());
    }

    @Test
    void privateRepositoryOnlyForOwnerAndAttestedKeeps() throws IOException {
        alice.publish("alice", "secret", "1.0.0", PackageTree.read(EXAMPLE), Optional.empty());

        // a private repository answers as a missing one (no existence oracle)
        RegistryException anon = assertThrows(
                RegistryException.class, () -> fetcher(reg.anonymousTls()).fetch("alice/secret:1.0.0"));
        assertEquals(404, anon.status(), anon.getMessage());

        // another user's token is not the owner's
        var bob = new PackageFetcher(
                reg.anonymousTls(),
                Optional.of(RegistryFixture.BOB_TOKEN),
                Optional.empty(),
                Optional.of(reg.server.baseUri()));
        assertEquals(
                404,
                assertThrows(RegistryException.class, () -> bob.fetch("alice/secret:1.0.0"))
                        .status());

        // the owner with a read scope may
        var owner = new PackageFetcher(
                reg.anonymousTls(),
                Optional.of(RegistryFixture.READONLY_TOKEN),
                Optional.empty(),
                Optional.of(reg.server.baseUri()));
        assertArrayEquals(
                Files.readAllBytes(EXAMPLE.resolve("main.wasm")),
                owner.fetch("alice/secret:1.0.0").wasm());

        // a Keep whose certificate the Steward CA issued may
        TestPki.Issued keep = TestPki.client(reg.stewardCa, "keep-1");
        FetchedPackage pkg = fetcher(keep.clientContext(reg.tlsCa.cert())).fetch("alice/secret:1.0.0");
        assertArrayEquals(Files.readAllBytes(EXAMPLE.resolve("main.wasm")), pkg.wasm());

        // a certificate from any other CA is refused
        TestPki.Issued rogue = TestPki.client(TestPki.ca("Rogue CA"), "keep-2");
        assertThrows(
                RegistryException.class,
                () -> fetcher(rogue.clientContext(reg.tlsCa.cert())).fetch("alice/secret:1.0.0"));

        // and the read-only token cannot publish
        var ro = reg.client(RegistryFixture.READONLY_TOKEN);
        assertEquals(
                403,
                assertThrows(
                                RegistryException.class,
                                () -> ro.publish(
                                        "alice", "secret", "2.0.0", PackageTree.read(EXAMPLE), Optional.empty()))
                        .status());
    }

    @Test
    void blobModifiedOnDiskIsDetectedAtFetch() throws IOException {
        alice.publish("alice", "hello", "0.1.0", PackageTree.read(EXAMPLE), Optional.empty());
        String wasmHex = ContentDigest.of(Files.readAllBytes(EXAMPLE.resolve("main.wasm")))
                .sha256Hex();
        Path blob = reg.storeDir.resolve("blobs").resolve(wasmHex);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);

        RegistryException e = assertThrows(
                RegistryException.class, () -> fetcher(reg.anonymousTls()).fetch("alice/hello:0.1.0"));
        assertEquals(500, e.status());
        assertTrue(e.getMessage().contains("modified on disk"), e.getMessage());
    }

    @Test
    void uploadsWithWrongDigestOrBadNamesAreRejected() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        byte[] dir = PackageTree.read(EXAMPLE).directoryJson();
        byte[] entry = RegistryJson.writeEntry(Meta.of(dir, Meta.DIRECTORY_TYPE));
        URI tag = reg.server.baseUri().resolve("/api/v0.1.0/alice/hello/_tag/3.0.0");

        HttpResponse<String> wrong = http.send(
                put(
                        tag,
                        entry,
                        Meta.ENTRY_TYPE,
                        ContentDigest.of("other".getBytes()).toHeader()),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, wrong.statusCode());
        assertTrue(wrong.body().contains("Content-Digest does not match"), wrong.body());
        assertEquals(1, wrong.body().strip().lines().count());

        HttpResponse<String> missing =
                http.send(put(tag, entry, Meta.ENTRY_TYPE, null), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("Content-Digest header is required"), missing.body());

        HttpResponse<String> garbled =
                http.send(put(tag, entry, Meta.ENTRY_TYPE, "sha-256=notcolons"), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbled.statusCode());

        // nothing of the refused uploads is visible
        assertEquals(List.of(), reg.client(null).tags("alice", "hello"));
        try (Stream<Path> tmp = Files.list(reg.storeDir.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }

        // tag accepted, then a root directory that is not the one the tag announced
        assertEquals(
                201,
                http.send(
                                put(
                                        tag,
                                        entry,
                                        Meta.ENTRY_TYPE,
                                        ContentDigest.of(entry).toHeader()),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        byte[] otherDir = RegistryJson.writeDirectory(new java.util.TreeMap<>(
                java.util.Map.of("main.wasm", Meta.of(new byte[dir.length], "application/wasm"))));
        HttpResponse<String> notAnnounced = http.send(
                put(
                        URI.create(tag + "/tree"),
                        otherDir,
                        Meta.DIRECTORY_TYPE,
                        ContentDigest.of(otherDir).toHeader()),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, notAnnounced.statusCode(), notAnnounced.body());

        for (String bad : List.of(
                "/api/v0.1.0/al.ice",
                "/api/v0.1.0/alice/he_llo",
                "/api/v0.1.0/alice/hello/_tag/1.0",
                "/api/v0.1.0/alice/hello/_tag/01.0.0",
                "/api/v0.1.0/alice/hello/_tag/1.0.0/tree/..",
                "/api/vX/alice")) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(reg.server.baseUri().resolve(bad))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertFalse(r.body().contains("Exception"), r.body());
        }
        // malformed bodies and headers: 400 (or 411/415-like 400s) with one line, never a stack trace
        URI user = reg.server.baseUri().resolve("/api/v0.1.0/dave");
        for (HttpRequest bad : List.of(
                put(user, "not json".getBytes(), "application/json", null),
                put(user, "{\"subject\":\"alice-subject\",\"extra\":1}".getBytes(), "application/json", null),
                put(user, "{\"subject\":\"alice-subject\"}".getBytes(), "text/plain", null),
                put(
                        URI.create(tag + "/tree"),
                        "{\"a\":1}".getBytes(),
                        Meta.DIRECTORY_TYPE,
                        ContentDigest.of("{\"a\":1}".getBytes()).toHeader()),
                put(
                        reg.server.baseUri().resolve("/api/v0.1.0/alice/hello/_tag/4.0.0"),
                        "{}".getBytes(),
                        Meta.ENTRY_TYPE,
                        ContentDigest.of("{}".getBytes()).toHeader()))) {
            HttpResponse<String> r = http.send(bad, HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), bad.uri() + ": " + r.body());
            assertEquals(1, r.body().strip().lines().count(), r.body());
        }
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(user)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());

        for (String version : List.of("0.2.0", "1.0.0", "0.99999999999999.0")) {
            HttpResponse<String> future = http.send(
                    HttpRequest.newBuilder(reg.server.baseUri().resolve("/api/v" + version + "/alice"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(501, future.statusCode(), version);
        }
    }

    @Test
    void sizeCapsAreCheckedBeforeDownload() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        // a directory that announces a 200 MiB main.wasm and a 2 MiB Enarx.toml; the registry cannot know the caps
        for (var announced : List.of(
                java.util.Map.of("main.wasm", 200L << 20),
                java.util.Map.of("main.wasm", 10L, "Enarx.toml", 2L << 20))) {
            java.util.SortedMap<String, Meta> entries = new java.util.TreeMap<>();
            announced.forEach((name, size) ->
                    entries.put(name, new Meta(ContentDigest.of(new byte[0]), size, PackageTree.typeOf(name))));
            byte[] dir = RegistryJson.writeDirectory(entries);
            byte[] entry = RegistryJson.writeEntry(Meta.of(dir, Meta.DIRECTORY_TYPE));
            String tag = "5.0." + announced.size();
            URI tagUri = reg.server.baseUri().resolve("/api/v0.1.0/alice/hello/_tag/" + tag);
            assertEquals(
                    201,
                    http.send(
                                    put(
                                            tagUri,
                                            entry,
                                            Meta.ENTRY_TYPE,
                                            ContentDigest.of(entry).toHeader()),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            assertEquals(
                    201,
                    http.send(
                                    put(
                                            URI.create(tagUri + "/tree"),
                                            dir,
                                            Meta.DIRECTORY_TYPE,
                                            ContentDigest.of(dir).toHeader()),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            RegistryException e = assertThrows(
                    RegistryException.class, () -> fetcher(reg.anonymousTls()).fetch("alice/hello:" + tag));
            assertEquals(413, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains("over the cap"), e.getMessage());
        }
    }

    @Test
    void headReportsLengthTypeAndDigest() throws Exception {
        PackageTree tree = PackageTree.read(EXAMPLE);
        alice.publish("alice", "hello", "0.1.0", tree, Optional.empty());
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        var r = http.send(
                HttpRequest.newBuilder(
                                reg.server.baseUri().resolve("/api/v0.1.0/alice/hello/_tag/0.1.0/tree/main.wasm"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(200, r.statusCode());
        assertEquals("application/wasm", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                tree.files().get("main.wasm").meta().digest(),
                ContentDigest.parseHeader(
                        r.headers().firstValue("Content-Digest").orElseThrow()));
    }

    @Test
    void signedTagsVerifyOnlyWithTheSignersKey() throws IOException {
        KeyPair signer = TestPki.ecKeys();
        alice.publish(
                "alice", "hello", "2.0.0", PackageTree.read(EXAMPLE), Optional.of((ECPrivateKey) signer.getPrivate()));
        alice.publish("alice", "hello", "2.0.1", PackageTree.read(EXAMPLE), Optional.empty());
        URI base = reg.server.baseUri();

        var verifying = new PackageFetcher(
                reg.anonymousTls(), Optional.empty(), Optional.of((ECPublicKey) signer.getPublic()), Optional.of(base));
        FetchedPackage pkg = verifying.fetch("alice/hello:2.0.0");
        assertTrue(pkg.signed());
        assertEquals(
                403,
                assertThrows(RegistryException.class, () -> verifying.fetch("alice/hello:2.0.1"))
                        .status());

        var otherKey = new PackageFetcher(
                reg.anonymousTls(),
                Optional.empty(),
                Optional.of((ECPublicKey) TestPki.ecKeys().getPublic()),
                Optional.of(base));
        assertEquals(
                403,
                assertThrows(RegistryException.class, () -> otherKey.fetch("alice/hello:2.0.0"))
                        .status());
    }

    @Test
    void aSignatureAlteredInTheRegistryIsABadSignatureAndTheRefusalSaysWhichWay() throws Exception {
        KeyPair signer = TestPki.ecKeys();
        ECPublicKey key = (ECPublicKey) signer.getPublic();
        URI base = reg.server.baseUri();
        var fetcher = new PackageFetcher(
                reg.anonymousTls(),
                Optional.empty(),
                List.of((ECPublicKey) TestPki.ecKeys().getPublic(), key),
                Optional.of(base));
        alice.publish("alice", "hello", "3.0.0", PackageTree.read(EXAMPLE), Optional.empty());
        assertEquals(
                "tag 3.0.0 is unsigned, and a signed tag is required",
                assertThrows(RegistryException.class, () -> fetcher.fetch("alice/hello:3.0.0"))
                        .getMessage());

        // a registry (or anyone on the way) serving a signed tag whose signature was changed
        byte[] entry = RegistryJson.writeEntry(Meta.of(PackageTree.read(EXAMPLE).directoryJson(), Meta.DIRECTORY_TYPE));
        var jws = (com.fasterxml.jackson.databind.node.ObjectNode)
                RegistryJson.parse(SignedTag.sign(entry, (ECPrivateKey) signer.getPrivate()), "t");
        String sig = jws.get("signature").asText();
        jws.put("signature", (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
        byte[] altered = RegistryJson.write(jws);
        HttpClient http = HttpClient.newBuilder().sslContext(reg.anonymousTls()).build();
        assertEquals(
                201,
                http.send(
                                put(
                                        base.resolve("/api/v0.1.0/alice/hello/_tag/3.0.1"),
                                        altered,
                                        Meta.JWS_TYPE,
                                        ContentDigest.of(altered).toHeader()),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        RegistryException e = assertThrows(RegistryException.class, () -> fetcher.fetch("alice/hello:3.0.1"));
        assertEquals(403, e.status());
        assertEquals(
                "tag 3.0.1 has a bad signature: the signature by required key " + SignedTag.keyId(key)
                        + " does not verify (the tag was altered, or the signature is broken)",
                e.getMessage());
    }

    @Test
    void usersAreRegisteredOnlyForTheTokensOwnSubject() {
        DrawbridgeClient bob = reg.client(RegistryFixture.BOB_TOKEN);
        assertEquals(
                403,
                assertThrows(RegistryException.class, () -> bob.registerUser("mallory", "alice-subject"))
                        .status());
        assertEquals(
                401,
                assertThrows(RegistryException.class, () -> reg.client(null).registerUser("bob", "bob-subject"))
                        .status());
        assertEquals(
                401,
                assertThrows(
                                RegistryException.class,
                                () -> reg.client("not-a-token").registerUser("bob", "bob-subject"))
                        .status());
        bob.registerUser("bob", "bob-subject");
        assertEquals(
                409,
                assertThrows(RegistryException.class, () -> bob.registerUser("bob", "bob-subject"))
                        .status());
        // another owner's user answers as a missing one would (no existence oracle)
        assertEquals(
                404,
                assertThrows(RegistryException.class, () -> bob.registerRepository("alice", "mine", true))
                        .status());
        assertEquals("bob-subject", bob.userInfo("bob").subject());
    }

    private static HttpRequest put(URI uri, byte[] body, String type, String digest) {
        var b = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + RegistryFixture.ALICE_TOKEN)
                .header("Content-Type", type)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (digest != null) b.header("Content-Digest", digest);
        return b.build();
    }
}
