package dev.donjon.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Debian's docker-registry (the CNCF distribution registry) started on a free loopback port with its storage in a
 * test directory, and the distribution-spec pushes a publisher makes. When the binary is missing this runs the
 * project's .ci/test-packages.sh to install it; if that cannot (no root, no apt), {@link #start} fails the test: it
 * never skips. It pushes as an independent publisher would (the OCI image and distribution specifications'
 * media types spelled out here, not taken from the puller under test).
 */
public final class LocalOciRegistry implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    /** OCI image manifest media type, and the annotation that names a layer's file (image-spec annotations.md). */
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private static final String TITLE = "org.opencontainers.image.title";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final URI base;
    private final Path storage;

    private LocalOciRegistry(Process process, URI base, Path storage) {
        this.process = process;
        this.base = base;
        this.storage = storage;
    }

    /** Starts the registry with its configuration, log and storage under {@code dir}; returns once it answers {@code /v2/}. */
    public static LocalOciRegistry start(Path dir) throws Exception {
        if (!Files.isExecutable(BINARY)) TestPackages.install();
        if (!Files.isExecutable(BINARY))
            fail(
                    BINARY
                            + " is missing: install Debian's docker-registry package (apt-get install docker-registry) to run the OCI tests");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path storage = dir.resolve("oci-storage");
        Path config = dir.resolve("config.yml");
        Path log = dir.resolve("registry.log");
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
        Process registry = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(registry::destroy)); // even if the test JVM is cut short
        LocalOciRegistry started = new LocalOciRegistry(registry, URI.create("http://127.0.0.1:" + port), storage);
        for (int i = 0; i < 100; i++) {
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(started.base.resolve("/v2/"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) return started;
            } catch (IOException e) {
                // not listening yet
            }
            if (!registry.isAlive()) fail("docker-registry exited: " + Files.readString(log));
            Thread.sleep(100);
        }
        registry.destroy();
        fail("docker-registry did not answer on " + started.base + " within 10 s");
        return started;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI base() {
        return base;
    }

    /** {@code 127.0.0.1:PORT}, as an {@code oci://} reference names the registry. */
    public String authority() {
        return base.getAuthority();
    }

    /** The registry's filesystem storage root (for tamper tests). */
    public Path storage() {
        return storage;
    }

    /**
     * Pushes main.wasm and Enarx.toml as an OCI artifact (distribution spec: monolithic blob uploads, then the
     * manifest) and returns the manifest's digest.
     */
    public String push(String name, String tag, byte[] wasm, byte[] toml) throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", OCI_MANIFEST);
        m.put("artifactType", "application/vnd.donjon.package.v1");
        byte[] emptyConfig = "{}".getBytes();
        ObjectNode cfg = m.putObject("config");
        cfg.put("mediaType", "application/vnd.oci.empty.v1+json");
        cfg.put("digest", pushBlob(name, emptyConfig));
        cfg.put("size", emptyConfig.length);
        var layers = m.putArray("layers");
        for (var f :
                new Object[][] {{"main.wasm", "application/wasm", wasm}, {"Enarx.toml", "application/toml", toml}}) {
            byte[] b = (byte[]) f[2];
            ObjectNode l = layers.addObject();
            l.put("mediaType", (String) f[1]);
            l.put("digest", pushBlob(name, b));
            l.put("size", b.length);
            l.putObject("annotations").put(TITLE, (String) f[0]);
        }
        byte[] manifest = JSON.writeValueAsBytes(m);
        var r = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/v2/" + name + "/manifests/" + tag))
                        .header("Content-Type", OCI_MANIFEST)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return sha256(manifest);
    }

    public String pushBlob(String name, byte[] bytes) throws Exception {
        var start = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/v2/" + name + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        String digest = sha256(bytes);
        URI put = base.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        var r = HTTP.send(
                HttpRequest.newBuilder(put)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return digest;
    }

    /** {@code sha256:HEX}, as OCI digests are written. */
    public static String sha256(byte[] b) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
