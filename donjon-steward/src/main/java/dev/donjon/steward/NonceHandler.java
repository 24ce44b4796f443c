package dev.donjon.steward;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /nonce}: a fresh enrollment nonce ({@link Steward#issueNonce}), 32 bytes of {@code application/octet-stream},
 * with {@code Cache-Control: no-store}. Any other method: 405. Kept apart from {@link StewardHandler}'s routes so that
 * an HTTP front end can route it on its own: all it does is call {@link Steward#issueNonce}.
 */
final class NonceHandler implements HttpHandler {
    static final String PATH = "/nonce";
    private static final Logger LOG = Logger.getLogger(NonceHandler.class.getName());

    private final Steward steward;
    private final StewardMetrics metrics;

    NonceHandler(Steward steward, StewardMetrics metrics) {
        this.steward = steward;
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange ex) {
        int status;
        try (ex) {
            if (!ex.getRequestURI().getRawPath().equals(PATH)) {
                status = answer(ex, 404, "text/plain; charset=utf-8", "no such endpoint\n".getBytes(StandardCharsets.UTF_8));
            } else if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                status = answer(ex, 405, "text/plain; charset=utf-8", "method not allowed here (POST)\n".getBytes(StandardCharsets.UTF_8));
            } else {
                ex.getRequestBody().readNBytes(1024); // nothing is expected; a small body is drained, a large one cut off
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                status = answer(ex, 200, "application/octet-stream", steward.issueNonce());
            }
        } catch (IOException e) {
            status = 499;
            LOG.log(Level.FINE, "connection failed", e);
        }
        metrics.request(PATH, status);
    }

    private static int answer(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return status;
    }
}
