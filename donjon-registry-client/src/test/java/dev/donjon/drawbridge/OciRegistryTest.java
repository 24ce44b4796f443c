package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.LocalOciRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls packages stored as OCI artifacts from Debian's docker-registry (the CNCF distribution registry), started on a
 * free loopback port by {@link LocalOciRegistry} (which fails, never skips, when the binary cannot be installed).
 */
class OciRegistryTest {
    static final Path EXAMPLE = Path.of(System.getProperty("donjon.shared", "../../shared"), "wasm", "wasm_example");
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    static LocalOciRegistry registry;
    static URI base;
    static Path storage;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalOciRegistry.start(dir);
        base = registry.base();
        storage = registry.storage();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    static String push(String name, String tag, byte[] wasm, byte[] toml) throws Exception {
        return registry.push(name, tag, wasm, toml);
    }

    static String sha256(byte[] b) {
        return LocalOciRegistry.sha256(b);
    }

    private static PackageFetcher fetcher() {
        return new PackageFetcher(null, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void pullsAVerifiedPackageByTagAndByDigest() throws Exception {
        byte[] wasm = Files.readAllBytes(EXAMPLE.resolve("main.wasm"));
        byte[] toml = Files.readAllBytes(EXAMPLE.resolve("Enarx.toml"));
        String manifestDigest = push("donjon/hello", "v1", wasm, toml);
        String authority = base.getAuthority();

        FetchedPackage byTag = fetcher().fetch("oci://" + authority + "/donjon/hello:v1");
        assertArrayEquals(wasm, byTag.wasm());
        assertArrayEquals(toml, byTag.config().orElseThrow());
        FetchedPackage byDigest = fetcher().fetch("oci://" + authority + "/donjon/hello@" + manifestDigest);
        assertArrayEquals(wasm, byDigest.wasm());

        assertEquals(
                404,
                assertThrows(
                                RegistryException.class,
                                () -> fetcher().fetch("oci://" + authority + "/donjon/nothing:v1"))
                        .status());
        assertThrows(RegistryException.class, () -> fetcher().fetch("oci://" + authority + "/Donjon/UPPER:v1"));
    }

    @Test
    void blobChangedInTheRegistryIsRefused() throws Exception {
        byte[] wasm = Files.readAllBytes(EXAMPLE.resolve("main.wasm")).clone();
        wasm[wasm.length - 1] ^= 0x55; // a distinct blob, so the other test's layer stays intact
        push("donjon/tampered", "v1", wasm, "x = 1\n".getBytes());
        String hex = sha256(wasm).substring(7);
        Path data = storage.resolve("docker/registry/v2/blobs/sha256")
                .resolve(hex.substring(0, 2))
                .resolve(hex)
                .resolve("data");
        byte[] onDisk = Files.readAllBytes(data);
        onDisk[10] ^= 1;
        Files.write(data, onDisk);

        RegistryException e = assertThrows(
                RegistryException.class, () -> fetcher().fetch("oci://" + base.getAuthority() + "/donjon/tampered:v1"));
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
    }

    @Test
    void anonymousPullTokenFlowIsFollowed() throws Exception {
        byte[] wasm = Files.readAllBytes(EXAMPLE.resolve("main.wasm"));
        push("donjon/guarded", "v2", wasm, "y = 2\n".getBytes());
        // a gate in front of the registry that wants the distribution spec's Bearer token, as public registries do
        var gate = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        String token = "anon-pull-token-42";
        var askedScope = new java.util.concurrent.atomic.AtomicReference<String>();
        gate.createContext("/token", ex -> {
            askedScope.set(ex.getRequestURI().getRawQuery());
            byte[] b = ("{\"token\":\"" + token + "\"}").getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        gate.createContext("/v2/", ex -> {
            try (ex) {
                if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    int port = gate.getAddress().getPort();
                    ex.getResponseHeaders()
                            .set(
                                    "WWW-Authenticate",
                                    "Bearer realm=\"http://127.0.0.1:" + port
                                            + "/token\",service=\"gate\",scope=\"repository:donjon/guarded:pull\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                var r = HTTP.send(
                        HttpRequest.newBuilder(base.resolve(ex.getRequestURI().toString()))
                                .header("Accept", ex.getRequestHeaders().getFirst("Accept"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                r.headers()
                        .firstValue("Docker-Content-Digest")
                        .ifPresent(d -> ex.getResponseHeaders().set("Docker-Content-Digest", d));
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                ex.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gate.start();
        try {
            FetchedPackage pkg =
                    fetcher().fetch("oci://127.0.0.1:" + gate.getAddress().getPort() + "/donjon/guarded:v2");
            assertArrayEquals(wasm, pkg.wasm());
            assertEquals("service=gate&scope=repository%3Adonjon%2Fguarded%3Apull", askedScope.get());
        } finally {
            gate.stop(0);
        }
    }
}
