package dev.donjon.steward;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The Steward over HTTP(S) (JDK server, one virtual thread per request); routes in {@link StewardHandler}, and
 * {@code POST /nonce} in {@link NonceHandler}.
 */
public final class StewardServer implements AutoCloseable {

    /** @param tls the server's TLS context (TLS 1.3 only), or empty for plain HTTP */
    public record Config(Steward steward, InetSocketAddress listen, Optional<SSLContext> tls) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final boolean https;
    private final StewardHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StewardServer(HttpServer server, boolean https, StewardHandler handler) {
        this.server = server;
        this.https = https;
        this.handler = handler;
    }

    public static StewardServer start(Config config) throws IOException {
        try {
            return bind(config);
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot listen on " + config.listen() + ": " + e.getMessage());
        }
    }

    private static StewardServer bind(Config config) throws IOException {
        HttpServer server;
        if (config.tls().isPresent()) {
            HttpsServer s = HttpsServer.create(config.listen(), 1024);
            SSLContext ctx = config.tls().get();
            s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = ctx.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3"});
                    params.setSSLParameters(p);
                }
            });
            server = s;
        } else {
            server = HttpServer.create(config.listen(), 1024);
        }
        StewardHandler handler = new StewardHandler(config.steward(), new StewardMetrics());
        StewardServer ss = new StewardServer(server, config.tls().isPresent(), handler);
        server.createContext("/", handler);
        server.createContext(NonceHandler.PATH, new NonceHandler(config.steward(), handler.metrics()));
        server.setExecutor(ss.executor);
        server.start();
        return ss;
    }

    public InetSocketAddress address() { return server.getAddress(); }

    public StewardMetrics metrics() { return handler.metrics(); }

    /** The URL Keeps enroll at, e.g. {@code https://127.0.0.1:3000/}. */
    public URI baseUri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create((https ? "https" : "http") + "://" + host + ":" + a.getPort() + "/");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        server.stop(0);
        executor.shutdownNow();
    }
}
