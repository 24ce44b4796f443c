package dev.donjon.secrets;

import dev.donjon.common.OneLine;
import dev.donjon.common.Tls;
import dev.donjon.server.EdgeServer;
import dev.donjon.server.ErrorMapper;
import dev.donjon.server.Limits;
import dev.donjon.server.ServerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The broker on the shared HTTP edge (donjon-server: TLS 1.3, limits against slow clients, one error format,
 * {@code /healthz}, {@code /readyz}, {@code /metrics}, graceful close), as two listeners with the same server
 * certificate:
 * <ul>
 *   <li>Keeps ({@code --listen}): {@link KeepRoutes}. Asks every client for a certificate (the handshake proves the
 *   client holds its key) and lets every chain through, so that {@link SecretBroker} judges it at its own clock and
 *   answers and audits every refusal with its reason.</li>
 *   <li>Operators ({@code --operator-listen}, loopback by default): {@link OperatorRoutes} behind the operator token;
 *   the broker's metrics beside the edge's at {@code /metrics} (or on {@code --admin-listen}).</li>
 * </ul>
 */
public final class BrokerServer implements AutoCloseable {

    /** A Keep sends a GET and no body. */
    private static final long KEEP_MAX_BODY = 16 << 10;

    private static final int OPERATOR_CONNECTIONS = 256;

    /**
     * @param keeps       where Keeps connect
     * @param operator    where operators connect (keep it on loopback or a management network)
     * @param tlsChain    the broker's server certificate chain, leaf first
     * @param limits      connection limits of each listener
     * @param adminListen where the operator side's health and metrics go instead (plain HTTP, no authentication)
     */
    public record Config(
            SecretBroker broker,
            OperatorToken token,
            InetSocketAddress keeps,
            InetSocketAddress operator,
            List<X509Certificate> tlsChain,
            PrivateKey tlsKey,
            Limits limits,
            Optional<InetSocketAddress> adminListen) {
        public Config {
            tlsChain = List.copyOf(tlsChain);
        }

        /** Default limits, health and metrics on the listeners. */
        public Config(
                SecretBroker broker,
                OperatorToken token,
                InetSocketAddress keeps,
                InetSocketAddress operator,
                List<X509Certificate> tlsChain,
                PrivateKey tlsKey) {
            this(broker, token, keeps, operator, tlsChain, tlsKey, Limits.defaults(), Optional.empty());
        }
    }

    private final EdgeServer keeps;
    private final EdgeServer operators;

    private BrokerServer(EdgeServer keeps, EdgeServer operators) {
        this.keeps = keeps;
        this.operators = operators;
    }

    public static BrokerServer start(Config c) throws BrokerException {
        Tls.Identity identity;
        ServerTls keepTls;
        ServerTls operatorTls;
        try {
            identity = new Tls.Identity(c.tlsKey(), c.tlsChain());
            keepTls = new ServerTls(Tls.context(identity, new ClientChainRecorder()), ServerTls.ClientAuth.OPTIONAL);
            operatorTls = ServerTls.of(Tls.context(Optional.of(identity), Optional.empty()));
        } catch (IllegalArgumentException e) {
            throw new BrokerException("cannot use the broker's TLS certificate and key: " + e.getMessage());
        }
        EdgeServer keepEdge = null;
        try {
            keepEdge = EdgeServer.start(
                    EdgeServer.Config.plain("secret broker", c.keeps())
                            .withTls(Optional.of(keepTls))
                            .withLimits(c.limits())
                            .withMaxBody(KEEP_MAX_BODY),
                    new KeepRoutes(c.broker()).routes(),
                    ErrorMapper.NONE);
            // operators are few: their listener needs no more connections than that
            EdgeServer operatorEdge = EdgeServer.start(
                    EdgeServer.Config.plain("secret broker (operators)", c.operator())
                            .withTls(Optional.of(operatorTls))
                            .withLimits(c.limits()
                                    .withMaxConnections(Math.min(
                                            OPERATOR_CONNECTIONS, c.limits().maxConnections())))
                            .withMaxBody(OperatorRoutes.MAX_BODY)
                            .withAdminListen(c.adminListen()),
                    new OperatorRoutes(c.broker(), c.token()).routes(),
                    OperatorRoutes.ERRORS);
            c.broker().metrics().registerIn(operatorEdge.metrics().registry());
            // not ready while the store cannot serve (PostgreSQL away): a load balancer sends Keeps to another broker
            keepEdge.readinessCheck(() -> c.broker().store().unavailable());
            operatorEdge.readinessCheck(() -> c.broker().store().unavailable());
            return new BrokerServer(keepEdge, operatorEdge);
        } catch (IOException e) {
            if (keepEdge != null) keepEdge.close();
            throw new BrokerException("cannot start the broker: " + OneLine.of(e));
        }
    }

    /** The Keep listener's URL, with its trailing slash (what Donjon.toml's {@code broker} names). */
    public URI keepsUri() {
        return URI.create(keeps.baseUri() + "/");
    }

    /** The operator listener's URL, with its trailing slash (what the CLI's {@code --broker} names). */
    public URI operatorUri() {
        return URI.create(operators.baseUri() + "/");
    }

    /** Where the operator side's health and metrics are served, when moved off the operator listener. */
    public Optional<InetSocketAddress> adminAddress() {
        return operators.adminAddress();
    }

    /** Graceful: both listeners stop accepting, requests in flight finish within the edge's grace. */
    @Override
    public void close() {
        operators.drain();
        keeps.drain();
        keeps.close();
        operators.close();
    }

    /**
     * The Keep listener's trust manager: it lets any client certificate through the handshake (which still proves the
     * client holds its key) so that the broker can judge the chain at its own clock and audit every refusal with its
     * reason; {@link KeepCertificate} does that judging on every request. It names no issuers in its certificate
     * request, so that a client with a certificate from another CA still sends it and is told why it is refused.
     */
    private static final class ClientChainRecorder extends X509ExtendedTrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) throw new CertificateException("empty client certificate chain");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the broker does not connect to servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
