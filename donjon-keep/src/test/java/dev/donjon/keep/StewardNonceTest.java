package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** A Keep asks the Steward for a freshness nonce first; an Enarx Steward has none to give, and the Keep enrolls as Enarx. */
class StewardNonceTest {

    /** A Steward stand-in whose /nonce answers {@code status} with {@code body}. */
    private static HttpServer stewardAnswering(int status, byte[] body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            boolean post = ex.getRequestMethod().equals("POST")
                    && ex.getRequestURI().getPath().equals("/steward/nonce");
            byte[] answer = post ? body : new byte[0];
            ex.sendResponseHeaders(post ? status : 500, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) ex.getResponseBody().write(answer);
            ex.close();
        });
        s.start();
        return s;
    }

    private static Optional<byte[]> nonceFrom(HttpServer s) throws Exception {
        URI steward = URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/steward");
        return new StewardClient(SSLContext.getDefault()).nonce(steward);
    }

    @Test
    void aDonjonStewardsNonceIsTakenAndAnEnarxStewardsAbsenceIsNoError() throws Exception {
        HttpServer donjon = stewardAnswering(200, new byte[32]);
        HttpServer enarx = stewardAnswering(404, new byte[0]);
        HttpServer broken = stewardAnswering(503, "overloaded".getBytes());
        HttpServer odd = stewardAnswering(200, new byte[3]);
        try {
            assertEquals(32, nonceFrom(donjon).orElseThrow().length);
            assertTrue(nonceFrom(enarx).isEmpty());
            KeepException e = assertThrows(KeepException.class, () -> nonceFrom(broken));
            assertTrue(e.getMessage().contains("refused a nonce (HTTP 503): overloaded"), e.getMessage());
            assertThrows(KeepException.class, () -> nonceFrom(odd));
        } finally {
            donjon.stop(0);
            enarx.stop(0);
            broken.stop(0);
            odd.stop(0);
        }
    }
}
