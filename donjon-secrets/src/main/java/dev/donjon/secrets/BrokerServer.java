package dev.donjon.secrets;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The broker's HTTP edge on Helidon SE: two listeners, both HTTPS with TLS 1.3 only and the same server certificate.
 * <ul>
 *   <li>Keeps ({@code --listen}): {@link KeepRoutes} under {@code /v1/secrets}, and {@code GET /health}. Asks every client
 *   for a certificate (TLS proves it holds the key); {@link SecretBroker} judges the chain, so refusals are audited.</li>
 *   <li>Operators ({@code --operator-listen}, loopback by default): {@link OperatorRoutes} under {@code /v1/admin/secrets}
 *   behind the operator token, {@code GET /health} and {@code GET /metrics} (Prometheus text).</li>
 * </ul>
 * The edge is thin on purpose: limits (request size, concurrency, idle time), one-line {@code text/plain} errors, a
 * request counter; the routes are plain Helidon {@code HttpService}s that a shared edge can mount as they are.
 */
public final class BrokerServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BrokerServer.class.getName());
    static final String OPERATOR_SOCKET = "operator";
    /** A Keep sends a GET; an operator a secret of at most 1 MiB, in base64 inside JSON. */
    private static final long KEEP_MAX_PAYLOAD = 16 << 10;
    private static final long OPERATOR_MAX_PAYLOAD = 2L << 20;

    /**
     * @param keeps      where Keeps connect
     * @param operator   where operators connect (keep it on loopback or a management network)
     * @param tlsChain   the broker's server certificate chain, leaf first
     * @param stewardCas the Steward CA(s) Keeps' client certificates must chain to
     */
    public record Config(SecretBroker broker, OperatorToken token, InetSocketAddress keeps, InetSocketAddress operator,
                         List<X509Certificate> tlsChain, PrivateKey tlsKey, List<X509Certificate> stewardCas) {
        public Config {
            tlsChain = List.copyOf(tlsChain);
            stewardCas = List.copyOf(stewardCas);
        }
    }

    private final WebServer server;
    private final String host;

    private BrokerServer(WebServer server, String host) {
        this.server = server;
        this.host = host;
    }

    public static BrokerServer start(Config c) throws BrokerException {
        SSLContext keepsTls = context(c.tlsChain(), c.tlsKey(), new TrustManager[] {new ClientChainRecorder()});
        SSLContext operatorTls = context(c.tlsChain(), c.tlsKey(), null);
        KeepRoutes keepRoutes = new KeepRoutes(c.broker());
        OperatorRoutes operatorRoutes = new OperatorRoutes(c.broker(), c.token());
        BrokerMetrics metrics = c.broker().metrics();
        WebServer server;
        try {
            server = WebServer.builder()
                    .address(c.keeps().getAddress()).port(c.keeps().getPort())
                    .tls(tls(keepsTls, TlsClientAuth.OPTIONAL))
                    .maxPayloadSize(KEEP_MAX_PAYLOAD).maxConcurrentRequests(512).idleConnectionTimeout(Duration.ofMinutes(2))
                    .shutdownHook(false)
                    .routing(r -> edge(r, "keeps", metrics).register("/v1/secrets", keepRoutes))
                    .putSocket(OPERATOR_SOCKET, s -> s.address(c.operator().getAddress()).port(c.operator().getPort())
                            .tls(tls(operatorTls, TlsClientAuth.NONE)).maxPayloadSize(OPERATOR_MAX_PAYLOAD).maxConcurrentRequests(64))
                    .routing(OPERATOR_SOCKET, r -> edge(r, OPERATOR_SOCKET, metrics)
                            .get("/metrics", (req, res) -> {
                                ByteArrayOutputStream out = new ByteArrayOutputStream();
                                metrics.write(out);
                                res.header(HeaderNames.CONTENT_TYPE, metrics.contentType()).send(out.toByteArray());
                            })
                            .register("/v1/admin/secrets", operatorRoutes))
                    .build().start();
        } catch (RuntimeException e) {
            throw new BrokerException("cannot start the broker on " + c.keeps() + " and " + c.operator() + ": " + oneLine(e));
        }
        String h = c.keeps().getAddress().isAnyLocalAddress() ? "localhost" : c.keeps().getAddress().getHostAddress();
        return new BrokerServer(server, h.contains(":") ? "[" + h + "]" : h);
    }

    /** What every route of a listener goes through: a request counter, health, one-line errors. */
    private static HttpRouting.Builder edge(HttpRouting.Builder r, String listener, BrokerMetrics metrics) {
        return r.addFilter((chain, req, res) -> {
                    try {
                        chain.proceed();
                    } finally {
                        metrics.request(listener, res.status().code());
                    }
                })
                .get("/health", (req, res) -> text(res, 200, "ok"))
                // Helidon's own answers (404 no such route, 405, 413 too large, 400 bad request): one line, their status
                .error(HttpException.class, (req, res, e) -> text(res, e.status().code(), e.status().reasonPhrase().toLowerCase(java.util.Locale.ROOT)))
                .error(Exception.class, (req, res, t) -> {
                    // a bug, never the client's input: logged here (no request body, no value), one line to the client
                    LOG.log(Level.SEVERE, "secret broker: " + req.prologue().method().text() + " " + req.path().path() + " failed", t);
                    text(res, 500, "internal error");
                });
    }

    static void text(ServerResponse res, int status, String line) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .send((line.replaceAll("\\R", " ") + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static String remote(ServerRequest req) {
        return req.remotePeer().host() + ":" + req.remotePeer().port();
    }

    /** The Keep listener's URL. */
    public URI keepsUri() { return URI.create("https://" + host + ":" + server.port() + "/"); }

    /** The operator listener's URL. */
    public URI operatorUri() { return URI.create("https://" + host + ":" + server.port(OPERATOR_SOCKET) + "/"); }

    @Override
    public void close() { server.stop(); }

    private static Tls tls(SSLContext context, TlsClientAuth clientAuth) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        if (clientAuth == TlsClientAuth.OPTIONAL) p.setWantClientAuth(true);
        return Tls.builder().sslContext(context).sslParameters(p).clientAuth(clientAuth).build();
    }

    private static SSLContext context(List<X509Certificate> chain, PrivateKey key, TrustManager[] trust) throws BrokerException {
        try {
            char[] password = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("broker", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new BrokerException("cannot use the broker's TLS certificate and key: " + oneLine(e));
        }
    }

    private static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
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
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the broker does not connect to servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
