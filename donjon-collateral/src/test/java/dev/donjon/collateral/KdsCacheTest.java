package dev.donjon.collateral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.platform.linux.AmdKds;
import dev.donjon.testing.PcsVectors;
import dev.donjon.testing.SettableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AMD KDS pieces through the same cache: AMD's real Milan chain and a real VCEK, requests paced for KDS's rate limit. */
class KdsCacheTest {

    private static final byte[] CHAIN = PcsVectors.read("amd/milan/ask_ark.pem");
    private static final byte[] VCEK = PcsVectors.read("snp/virtee/vcek_milan.der");
    private static final String VCEK_PATH =
            "/vcek/v1/Milan/" + "ab".repeat(64) + "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115";

    @TempDir
    Path dir;

    private HttpServer kds;
    private final List<Long> requestTimes = Collections.synchronizedList(new ArrayList<>());
    private volatile int status = 200;

    @BeforeEach
    void start() throws Exception {
        kds = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        kds.createContext("/vcek/v1/Milan/", x -> {
            requestTimes.add(System.nanoTime());
            String p = x.getRequestURI().getPath();
            byte[] body = p.endsWith("/cert_chain") ? CHAIN : p.startsWith("/vcek/v1/Milan/abab") ? VCEK : null;
            if (status != 200) {
                x.getResponseHeaders().add("Retry-After", "3600");
                x.sendResponseHeaders(status, -1);
            } else if (body == null) {
                x.sendResponseHeaders(404, -1);
            } else {
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            }
            x.close();
        });
        kds.start();
    }

    @AfterEach
    void stop() {
        kds.stop(0);
    }

    private CollateralService service(Duration minInterval, SettableClock clock) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + kds.getAddress().getPort());
        return new CollateralService(
                new CollateralStore(dir),
                List.of(KdsClient.of(base, minInterval)),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
    }

    @Test
    void aVcekIsFetchedVerifiedUnderItsChainAndCachedWithRequestsSpacedOut() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2025-01-01T00:00:00Z"));
        CollateralService s = service(Duration.ofMillis(400), clock);
        CollateralEntry.Verified v = s.get(new CollateralKey.AmdVcek(ProductLine.MILAN, VCEK_PATH));
        assertArrayEquals(VCEK, v.entry().body());
        assertEquals(Instant.parse("2030-04-03T19:23:43Z"), v.nextUpdate());
        assertEquals(2, requestTimes.size()); // the VCEK, and the cert_chain it is checked under
        assertTrue(
                requestTimes.get(1) - requestTimes.get(0)
                        >= Duration.ofMillis(400).toNanos(),
                "KDS requests are at least 400 ms apart");
        s.get(new CollateralKey.AmdVcek(ProductLine.MILAN, VCEK_PATH));
        service(Duration.ZERO, clock).get(new CollateralKey.AmdCertChain(ProductLine.MILAN));
        assertEquals(2, requestTimes.size());
    }

    @Test
    void theKeyIsTheVcekPathTheKeepRuntimeAsksFor() throws Exception {
        byte[] report = java.util.HexFormat.of()
                .parseHex(new String(
                                PcsVectors.read("snp/virtee/report_milan.hex"),
                                java.nio.charset.StandardCharsets.US_ASCII)
                        .replaceAll("\\s", ""));
        String path = AmdKds.vcekPath(report, Optional.of("Milan"));
        assertEquals(
                "amd-milan-vcek-",
                new CollateralKey.AmdVcek(ProductLine.MILAN, path).id().substring(0, 15));
        assertThrows(IllegalArgumentException.class, () -> new CollateralKey.AmdVcek(ProductLine.GENOA, path));
    }

    @Test
    void kdsRateLimitingIsRespected() throws Exception {
        status = 429;
        SettableClock clock = new SettableClock(Instant.parse("2025-01-01T00:00:00Z"));
        CollateralService s = service(Duration.ZERO, clock);
        CollateralUnavailableException e = assertThrows(
                CollateralUnavailableException.class, () -> s.get(new CollateralKey.AmdCertChain(ProductLine.MILAN)));
        assertTrue(e.getMessage().endsWith("answered HTTP 429 (too many requests)"), e.getMessage());
        status = 200;
        clock.set(clock.instant().plus(Duration.ofMinutes(30)));
        CollateralUnavailableException held = assertThrows(
                CollateralUnavailableException.class, () -> s.get(new CollateralKey.AmdCertChain(ProductLine.MILAN)));
        assertTrue(held.getMessage().contains("next attempt after 2025-01-01T01:00:00Z"), held.getMessage());
        assertEquals(1, requestTimes.size());
        clock.set(clock.instant().plus(Duration.ofMinutes(31)));
        s.get(new CollateralKey.AmdCertChain(ProductLine.MILAN));
        assertEquals(2, requestTimes.size());
    }
}
