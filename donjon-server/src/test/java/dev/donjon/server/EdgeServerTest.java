package dev.donjon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.server.probe.RealClient;
import dev.donjon.server.probe.Slowloris;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** A failure a service's storage might throw, mapped by the service's error mapper. */
    static final class Missing extends RuntimeException {
        Missing(String m) {
            super(m);
        }
    }

    private final CountDownLatch slowStarted = new CountDownLatch(1);

    private Routes routes() {
        return new Routes()
                .get("/", ex -> ex.text(200, "hello"))
                .post("/echo", ex -> ex.send(200, "application/octet-stream", ex.body(64 << 10)))
                .get("/things/{id}", ex -> {
                    throw new Missing("no thing " + ex.pathParam("id"));
                })
                .get("/boom", ex -> {
                    throw new IllegalStateException("secret detail");
                })
                .get("/who", ex -> ex.text(200, ex.principal().toString()))
                .get("/slow", ex -> {
                    slowStarted.countDown();
                    Thread.sleep(1500);
                    ex.text(200, "finished");
                });
    }

    private static final ErrorMapper ERRORS =
            f -> f instanceof Missing m ? Optional.of(ApiError.notFound(m.getMessage())) : Optional.empty();

    private EdgeServer start(EdgeServer.Config config) throws Exception {
        server = EdgeServer.start(config, routes(), ERRORS);
        return server;
    }

    private EdgeServer.Config plain() {
        return EdgeServer.Config.plain("test", new InetSocketAddress("127.0.0.1", 0));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(server.baseUri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Helidon returns a stopped server when its listener cannot bind; start() says so in one line naming the address. */
    @Test
    void aBusyAddressIsABindExceptionNamingIt() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress taken = new InetSocketAddress("127.0.0.1", busy.getLocalPort());
            java.net.BindException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.net.BindException.class,
                    () -> EdgeServer.start(EdgeServer.Config.plain("test", taken), routes(), ERRORS));
            assertTrue(
                    e.getMessage().startsWith("cannot listen on " + taken + ": ")
                            && e.getMessage().contains("in use"),
                    e.getMessage());
        }
    }

    @Test
    void oneRouteTableAndOneErrorFormat() throws Exception {
        start(plain());
        assertEquals("hello\n", get("/").body());
        HttpResponse<String> head = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("6", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", head.body());

        HttpResponse<String> missing = get("/things/7");
        assertEquals(404, missing.statusCode());
        assertEquals("no thing 7\n", missing.body());
        assertEquals(
                "text/plain; charset=utf-8",
                missing.headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> boom = get("/boom");
        assertEquals(500, boom.statusCode());
        assertEquals("internal error\n", boom.body(), "the cause stays in the log");
        assertEquals(404, get("/nowhere").statusCode());
        assertEquals(400, get("/things/../boom").statusCode());
        HttpResponse<String> delete = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, delete.statusCode());
        assertEquals("method DELETE is not allowed here (GET, HEAD)\n", delete.body());

        assertEquals("ok\n", get(EdgeServer.LIVENESS).body());
        assertEquals("ready\n", get(EdgeServer.READINESS).body());
        String metrics = get(EdgeServer.METRICS).body();
        assertTrue(
                metrics.contains(
                        "donjon_http_request_seconds_count{method=\"GET\",route=\"/things/{id}\",status=\"404\"} 1"),
                metrics);
        assertTrue(
                metrics.contains("donjon_http_request_seconds_count{method=\"DELETE\",route=\"/\",status=\"405\"} 1"),
                metrics);
        assertTrue(metrics.contains("jvm_threads_current"), metrics);
        assertTrue(metrics.contains("donjon_http_connections{state=\"busy\"}"), metrics);
    }

    @Test
    void anOverLimitBodyIsAnswered413AndTheClientReadsIt() throws Exception {
        start(plain());
        for (int size : new int[] {(64 << 10) + 1, 8 << 20}) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(server.baseUri().resolve("/echo"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
            assertEquals("request body larger than 65536 bytes\n", r.body());
        }
        // and with a raw socket that writes its whole body before reading, as simple clients do: no reset
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (4 << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[4 << 20]);
            out.flush();
            String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", answer);
        }
    }

    @Test
    void slowClientsAreClosedOrDisplacedAndRealClientsAreServed() throws Exception {
        // a cap far below the attack: every new connection must displace a slow one; a short head deadline
        start(plain().withLimits(Limits.defaults().withMaxConnections(300).withHeadTimeout(Duration.ofSeconds(2))));
        for (Slowloris.Mode mode : Slowloris.Mode.values()) {
            try (Slowloris attack = Slowloris.start(server.address(), 1000, mode, Duration.ofSeconds(1))) {
                Thread.sleep(3000);
                RealClient.Result r = RealClient.measure(
                        server.baseUri().resolve("/"), null, 20, Duration.ofMillis(50), Duration.ofSeconds(5));
                // on one address the attacker competes for the slots it displaces (README, "Not done"): a real client's
                // fresh connection whose head the server has not read yet can be displaced by 300 newer ones; nine in
                // ten real requests must be answered
                assertTrue(r.failures() <= 2, mode + ": " + r);
                assertTrue(attack.closedByServer() > 0, "slow connections were closed: " + attack.closedByServer());
            }
        }
        // below the cap, slow connections are closed at their head deadline
        try (Slowloris attack =
                Slowloris.start(server.address(), 100, Slowloris.Mode.TRICKLE, Duration.ofMillis(500))) {
            Thread.sleep(3500);
            assertTrue(attack.closedByServer() >= 100, "closed at the deadline: " + attack.closedByServer());
        }
        String metrics = get(EdgeServer.METRICS).body();
        assertTrue(
                metrics.matches("(?s).*donjon_http_connections_closed_total\\{reason=\"displaced\"} [1-9].*"), metrics);
        assertTrue(
                metrics.matches("(?s).*donjon_http_connections_closed_total\\{reason=\"head_timeout\"} [1-9].*"),
                metrics);
    }

    @Test
    void bearerTokensAreVerifiedAndABadOneIsRefused(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# test\nalice-token-0123456789 alice read write\n");
        start(plain().withAuthenticator(
                        new Authenticator(Optional.of(TokenFile.load(tokens)), Optional.empty(), false)));
        assertEquals("Anonymous[]\n", get("/who").body());
        HttpResponse<String> alice = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/who"))
                        .header("Authorization", "Bearer alice-token-0123456789")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(alice.body().startsWith("Bearer[subject=alice"), alice.body());
        HttpResponse<String> bad = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/who"))
                        .header("Authorization", "Bearer guessed-token-0123456789")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, bad.statusCode());
        assertEquals("unknown bearer token\n", bad.body());
    }

    @Test
    void closeTurnsReadinessOffAndLetsRequestsInFlightFinish() throws Exception {
        start(plain().withLimits(Limits.defaults().withShutdownGrace(Duration.ofSeconds(10))));
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                HttpRequest.newBuilder(server.baseUri().resolve("/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
        server.drain();
        assertEquals(503, get(EdgeServer.READINESS).statusCode());
        server.close();
        assertEquals(
                "finished\n",
                slow.get(10, TimeUnit.SECONDS).body(),
                "the request in flight finished before the server stopped");
    }

    @Test
    void healthAndMetricsCanLiveOnTheirOwnListener() throws Exception {
        start(plain().withAdminListen(Optional.of(new InetSocketAddress("127.0.0.1", 0))));
        assertEquals(404, get(EdgeServer.METRICS).statusCode());
        URI admin = URI.create(
                "http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort());
        HttpResponse<String> m = http.send(
                HttpRequest.newBuilder(admin.resolve(EdgeServer.METRICS)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("donjon_http_request_seconds"), m.body());
        assertEquals(
                200,
                http.send(
                                HttpRequest.newBuilder(admin.resolve(EdgeServer.LIVENESS))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
    }
}
