package dev.donjon.drawbridge;

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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** The Drawbridge registry over HTTP(S), one virtual thread per request. */
public final class RegistryServer implements AutoCloseable {

    /**
     * @param tls        the server's TLS context, or empty for plain HTTP (local use only)
     * @param clientAuth whether {@code tls} trusts a Steward CA and should ask clients for their certificate
     */
    public record Config(RegistryStore store, InetSocketAddress listen, Optional<SSLContext> tls, boolean clientAuth,
                         Authenticator authenticator) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final boolean https;

    private RegistryServer(HttpServer server, boolean https) {
        this.server = server;
        this.https = https;
    }

    public static RegistryServer start(Config config) throws IOException {
        HttpServer server;
        if (config.tls().isPresent()) {
            HttpsServer s = HttpsServer.create(config.listen(), 64);
            SSLContext ctx = config.tls().get();
            s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = ctx.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3"}); // as Drawbridge: TLS 1.3 only
                    // "want", not "need": public repositories stay readable without a certificate
                    p.setWantClientAuth(config.clientAuth());
                    params.setSSLParameters(p);
                }
            });
            server = s;
        } else {
            server = HttpServer.create(config.listen(), 64);
        }
        RegistryServer rs = new RegistryServer(server, config.tls().isPresent());
        server.createContext("/", new RegistryHandler(config.store(), config.authenticator()));
        server.setExecutor(rs.executor);
        server.start();
        return rs;
    }

    public InetSocketAddress address() { return server.getAddress(); }

    /** The base URL clients use, e.g. {@code https://127.0.0.1:8443}. */
    public URI baseUri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create((https ? "https" : "http") + "://" + host + ":" + a.getPort());
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        server.stop(0);
        executor.shutdownNow();
    }
}
