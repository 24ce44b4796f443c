package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.server.EdgeServer;
import dev.donjon.server.Limits;
import dev.donjon.server.ServerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** The Steward over HTTP(S), behind the shared edge (donjon-server); routes (POST /nonce too) in {@link StewardHandler}. */
public final class StewardServer implements AutoCloseable {

    /**
     * @param tls         the server's TLS context (served as TLS 1.3 only), or empty for plain HTTP
     * @param limits      connection limits (slow clients, the cap, shutdown grace)
     * @param adminListen where {@code /healthz}, {@code /readyz} and {@code /metrics} are served instead, if anywhere
     */
    public record Config(
            Steward steward,
            InetSocketAddress listen,
            Optional<SSLContext> tls,
            Limits limits,
            Optional<InetSocketAddress> adminListen) {
        public Config(Steward steward, InetSocketAddress listen, Optional<SSLContext> tls) {
            this(steward, listen, tls, defaultLimits(), Optional.empty());
        }

        /** Enrollment is short and CPU-bound: many connections are cheap, and a request head has 10 s. */
        public static Limits defaultLimits() {
            return Limits.defaults().withMaxConnections(30_000);
        }
    }

    private final EdgeServer edge;
    private final StewardMetrics metrics;

    private StewardServer(EdgeServer edge, StewardMetrics metrics) {
        this.edge = edge;
        this.metrics = metrics;
    }

    public static StewardServer start(Config config) throws IOException {
        // a bundle carries up to MAX_BUNDLE CSRs; nothing else the Steward reads is larger
        long maxBody = (long) KeepCsr.MAX_BYTES * StewardHandler.MAX_BUNDLE;
        EdgeServer.Config edge = EdgeServer.Config.plain("steward", config.listen())
                .withTls(config.tls().map(ServerTls::of))
                .withLimits(config.limits())
                .withMaxBody(maxBody)
                .withAdminListen(config.adminListen());
        StewardMetrics metrics = new StewardMetrics();
        StewardHandler handler = new StewardHandler(config.steward(), metrics);
        EdgeServer server = EdgeServer.start(edge, handler.routes(), handler::mapError);
        metrics.register(server.metrics().registry());
        return new StewardServer(server, metrics);
    }

    public InetSocketAddress address() {
        return edge.address();
    }

    public StewardMetrics metrics() {
        return metrics;
    }

    /** The edge: health, metrics, connection limits. */
    public EdgeServer edge() {
        return edge;
    }

    /** The URL Keeps enroll at, e.g. {@code https://127.0.0.1:3000/}. */
    public URI baseUri() {
        return URI.create(edge.baseUri() + "/");
    }

    /** Stops accepting, lets enrollments in flight finish (bounded by the limits' shutdown grace). */
    @Override
    public void close() {
        edge.close();
    }
}
