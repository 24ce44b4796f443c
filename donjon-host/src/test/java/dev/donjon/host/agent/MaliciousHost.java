package dev.donjon.host.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * An HTTP relay in front of a real agent that can rewrite the Keep offers and the guest input it passes on: the
 * untrusted host of the threat model, tampering with evidence, replaying an old offer, or altering, dropping or
 * reordering the sealed chunks of a guest's stdin.
 */
final class MaliciousHost implements AutoCloseable {
    private final HttpServer server;
    private final URI agent;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile UnaryOperator<byte[]> offers = UnaryOperator.identity();
    private volatile UnaryOperator<java.util.List<byte[]>> input = UnaryOperator.identity();

    MaliciousHost(URI agent) throws IOException {
        this.agent = agent;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::relay);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void rewriteOffers(UnaryOperator<byte[]> rewrite) {
        offers = rewrite;
    }

    /** Rewrites the list of sealed input chunks (the records of an input upload) before relaying them. */
    void rewriteInput(UnaryOperator<java.util.List<byte[]>> rewrite) {
        input = rewrite;
    }

    private byte[] rewrittenInput(byte[] body) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
        java.util.List<byte[]> chunks = new java.util.ArrayList<>();
        while (in.hasRemaining()) {
            byte[] c = new byte[in.getInt()];
            in.get(c);
            chunks.add(c);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] c : input.apply(chunks)) {
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(c.length).array());
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    private void relay(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (ex.getRequestURI().getPath().endsWith("/input")) body = rewrittenInput(body);
            HttpRequest.Builder req = HttpRequest.newBuilder(
                            agent.resolve(ex.getRequestURI().toString()))
                    .method(
                            ex.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            boolean create = ex.getRequestMethod().equals("POST")
                    && ex.getRequestURI().getPath().equals("/v1/keeps")
                    && r.statusCode() == 201;
            if (create) {
                byte[] offer = offers.apply(r.body().readAllBytes());
                ex.sendResponseHeaders(201, offer.length);
                ex.getResponseBody().write(offer);
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), 0);
            try (InputStream in = r.body();
                    OutputStream out = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        http.close();
    }
}
