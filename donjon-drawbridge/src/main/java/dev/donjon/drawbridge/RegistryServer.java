package dev.donjon.drawbridge;

import dev.donjon.server.Authenticator;
import dev.donjon.server.EdgeServer;
import dev.donjon.server.Limits;
import dev.donjon.server.ServerTls;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** The Drawbridge registry over HTTP(S), behind the shared edge (donjon-server); routes in {@link RegistryHandler}. */
public final class RegistryServer implements AutoCloseable {

    /**
     * @param tls         the server's TLS context, or empty for plain HTTP (local use only)
     * @param clientAuth  whether {@code tls} trusts a Steward CA and should ask clients for their certificate
     * @param limits      connection limits (slow clients, the cap, shutdown grace)
     * @param adminListen where {@code /healthz}, {@code /readyz} and {@code /metrics} are served instead, if anywhere
     */
    public record Config(
            RegistryStore store,
            InetSocketAddress listen,
            Optional<SSLContext> tls,
            boolean clientAuth,
            Authenticator authenticator,
            Limits limits,
            Optional<InetSocketAddress> adminListen) {
        public Config(
                RegistryStore store,
                InetSocketAddress listen,
                Optional<SSLContext> tls,
                boolean clientAuth,
                Authenticator authenticator) {
            this(store, listen, tls, clientAuth, authenticator, Limits.defaults(), Optional.empty());
        }
    }

    private final EdgeServer edge;
    private final RegistryStore store;

    private RegistryServer(EdgeServer edge, RegistryStore store) {
        this.edge = edge;
        this.store = store;
    }

    public static RegistryServer start(Config config) throws IOException {
        // "optional", not "required": public repositories stay readable without a certificate
        Optional<ServerTls> tls = config.tls()
                .map(ctx -> new ServerTls(
                        ctx, config.clientAuth() ? ServerTls.ClientAuth.OPTIONAL : ServerTls.ClientAuth.NONE));
        EdgeServer.Config edge = EdgeServer.Config.plain("drawbridge", config.listen())
                .withTls(tls)
                .withLimits(config.limits())
                .withAuthenticator(config.authenticator())
                .withMaxBody(Math.max(config.store().maxUpload(), RegistryHandler.MAX_SMALL_BODY))
                .withAdminListen(config.adminListen());
        RegistryHandler handler = new RegistryHandler(config.store());
        EdgeServer server = EdgeServer.start(edge, handler.routes(), handler::mapError);
        RegistryStore store = config.store();
        server.readinessCheck(store::notReady);
        CounterWithCallback.builder()
                .name("donjon_drawbridge_blob_rehashes")
                .help(
                        "Stored blobs hashed again before serving because their file was not known unchanged since it was verified")
                .callback(cb -> cb.call(store.rehashes()))
                .register(server.metrics().registry());
        return new RegistryServer(server, store);
    }

    public InetSocketAddress address() {
        return edge.address();
    }

    /** The edge: health, metrics, connection limits. */
    public EdgeServer edge() {
        return edge;
    }

    /** The base URL clients use, e.g. {@code https://127.0.0.1:8443}. */
    public URI baseUri() {
        return edge.baseUri();
    }

    /** Stops accepting, lets requests in flight finish (bounded by the limits' shutdown grace), then closes the store. */
    @Override
    public void close() {
        try {
            edge.close();
        } finally {
            store.close();
        }
    }
}
