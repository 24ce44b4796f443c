package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.server.probe.RealClient;
import dev.donjon.server.probe.Slowloris;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Attacks on the Steward's HTTP edge (issue 12): slow clients, and bodies over the cap. */
class StewardAttackTest {
    /** Slow connections the test holds: the JVM's descriptors hold both ends of each, so not the 20,000 (see bench/slowloris.sh). */
    static final int SLOW = Integer.getInteger("donjon.test.slowClients", 6000);

    private StewardServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private StewardServer serve() throws Exception {
        server = StewardServer.start(new StewardServer.Config(
                TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW),
                new InetSocketAddress("127.0.0.1", 0),
                Optional.empty()));
        return server;
    }

    @Test
    void realClientsAreServedDuringASlowloris() throws Exception {
        StewardServer s = serve();
        try (Slowloris attack = Slowloris.start(s.address(), SLOW, Slowloris.Mode.TRICKLE, Duration.ofSeconds(3))) {
            attack.awaitOpen(SLOW * 9 / 10, Duration.ofSeconds(60));
            RealClient.Result r = RealClient.measure(
                    s.baseUri().resolve("/"), null, 10, Duration.ofMillis(100), Duration.ofSeconds(10));
            assertEquals(0, r.failures(), "during a slowloris of " + attack.open() + " connections: " + r);
        }
    }

    @Test
    void anOverLimitBodyGetsA413TheClientCanRead() throws Exception {
        StewardServer s = serve();
        HttpClient http = HttpClient.newHttpClient();
        for (int size : new int[] {KeepCsr.MAX_BYTES + 1, 8 << 20}) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(s.baseUri().resolve("/"))
                            .header("Content-Type", "application/pkcs10")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("request body larger than"), r.body());
        }
    }
}
