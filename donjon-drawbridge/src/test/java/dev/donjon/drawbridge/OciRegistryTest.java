package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls packages stored as OCI artifacts from Debian's docker-registry (the CNCF distribution registry),
 * started here on a free loopback port. When the binary is missing the test runs .ci/test-packages.sh to install
 * it; if that cannot (no root, no apt), the test fails, it does not skip.
 */
class OciRegistryTest {
    static final Path EXAMPLE = RegistryEndToEndTest.EXAMPLE;
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path dir;
    static Process registry;
    static URI base;
    static Path storage;

    @BeforeAll
    static void startRegistry() throws Exception {
        if (!Files.isExecutable(BINARY)) installTestPackages();
        if (!Files.isExecutable(BINARY))
            fail(BINARY + " is missing: install Debian's docker-registry package (apt-get install docker-registry) to run the OCI tests");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        storage = dir.resolve("oci-storage");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port));
        registry = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(registry::destroy)); // even if the test JVM is cut short
        base = URI.create("http://127.0.0.1:" + port);
        for (int i = 0; i < 100; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (!registry.isAlive()) fail("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            Thread.sleep(100);
        }
        fail("docker-registry did not answer on " + base + " within 10 s");
    }

    /** The project's own installer (also run by .ci/run), so a fresh machine needs no manual step. */
    private static void installTestPackages() throws Exception {
        Path script = Path.of(System.getProperty("donjon.root", "..")).resolve(".ci/test-packages.sh");
        if (!Files.isRegularFile(script)) return;
        Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) p.destroyForcibly();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.destroy();
    }

    /** Pushes main.wasm and Enarx.toml as an OCI artifact (distribution spec: monolithic blob uploads, then the manifest). */
    static String push(String name, String tag, byte[] wasm, byte[] toml) throws Exception {
        ObjectNode m = RegistryJson.MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", OciPuller.OCI_MANIFEST);
        m.put("artifactType", "application/vnd.donjon.package.v1");
        byte[] emptyConfig = "{}".getBytes();
        ObjectNode cfg = m.putObject("config");
        cfg.put("mediaType", "application/vnd.oci.empty.v1+json");
        cfg.put("digest", pushBlob(name, emptyConfig));
        cfg.put("size", emptyConfig.length);
        var layers = m.putArray("layers");
        for (var f : new Object[][] {{"main.wasm", "application/wasm", wasm}, {"Enarx.toml", "application/toml", toml}}) {
            byte[] b = (byte[]) f[2];
            ObjectNode l = layers.addObject();
            l.put("mediaType", (String) f[1]);
            l.put("digest", pushBlob(name, b));
            l.put("size", b.length);
            l.putObject("annotations").put(OciPuller.TITLE, (String) f[0]);
        }
        byte[] manifest = RegistryJson.write(m);
        var r = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + name + "/manifests/" + tag)).header("Content-Type", OciPuller.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return sha256(manifest);
    }

    static String pushBlob(String name, byte[] bytes) throws Exception {
        var start = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + name + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        String digest = sha256(bytes);
        URI put = base.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        var r = HTTP.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return digest;
    }

    static String sha256(byte[] b) { return "sha256:" + HexFormat.of().formatHex(DigestAlgorithm.SHA_256.newDigest().digest(b)); }

    private static PackageFetcher fetcher() { return new PackageFetcher(null, Optional.empty(), Optional.empty(), Optional.empty()); }

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

        assertEquals(404, assertThrows(RegistryException.class, () -> fetcher().fetch("oci://" + authority + "/donjon/nothing:v1")).status());
        assertThrows(RegistryException.class, () -> fetcher().fetch("oci://" + authority + "/Donjon/UPPER:v1"));
    }

    @Test
    void blobChangedInTheRegistryIsRefused() throws Exception {
        byte[] wasm = Files.readAllBytes(EXAMPLE.resolve("main.wasm")).clone();
        wasm[wasm.length - 1] ^= 0x55; // a distinct blob, so the other test's layer stays intact
        push("donjon/tampered", "v1", wasm, "x = 1\n".getBytes());
        String hex = sha256(wasm).substring(7);
        Path data = storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
        byte[] onDisk = Files.readAllBytes(data);
        onDisk[10] ^= 1;
        Files.write(data, onDisk);

        RegistryException e = assertThrows(RegistryException.class, () -> fetcher().fetch("oci://" + base.getAuthority() + "/donjon/tampered:v1"));
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
    }

    @Test
    void anonymousPullTokenFlowIsFollowed() throws Exception {
        byte[] wasm = Files.readAllBytes(EXAMPLE.resolve("main.wasm"));
        push("donjon/guarded", "v2", wasm, "y = 2\n".getBytes());
        // a gate in front of the registry that wants the distribution spec's Bearer token, as public registries do
        var gate = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
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
                    ex.getResponseHeaders().set("WWW-Authenticate",
                            "Bearer realm=\"http://127.0.0.1:" + port + "/token\",service=\"gate\",scope=\"repository:donjon/guarded:pull\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                var r = HTTP.send(HttpRequest.newBuilder(base.resolve(ex.getRequestURI().toString()))
                        .header("Accept", ex.getRequestHeaders().getFirst("Accept")).build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().firstValue("Docker-Content-Digest").ifPresent(d -> ex.getResponseHeaders().set("Docker-Content-Digest", d));
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                ex.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gate.start();
        try {
            FetchedPackage pkg = fetcher().fetch("oci://127.0.0.1:" + gate.getAddress().getPort() + "/donjon/guarded:v2");
            assertArrayEquals(wasm, pkg.wasm());
            assertEquals("service=gate&scope=repository%3Adonjon%2Fguarded%3Apull", askedScope.get());
        } finally {
            gate.stop(0);
        }
    }
}
