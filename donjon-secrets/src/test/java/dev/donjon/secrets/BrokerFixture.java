package dev.donjon.secrets;

import dev.donjon.steward.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

/** A broker on loopback (embedded store, a generated Steward CA, the audit log in memory) and clients for it. */
final class BrokerFixture implements AutoCloseable {

    static final String TOKEN = "operator-token-for-tests-0123456789abcdef";

    final CertificateAuthority steward;
    final TestKeeps.Identity tls;
    final ByteArrayOutputStream audit = new ByteArrayOutputStream();
    final SecretBroker broker;
    final BrokerServer server;

    BrokerFixture(SecretStore store, MasterKey key, Clock clock) throws Exception {
        steward = CertificateAuthority.generate(Instant.now().minusSeconds(3600));
        tls = TestKeeps.brokerIdentity();
        broker = new SecretBroker(
                store, key, List.of(steward.certificate()), AuditLog.to(audit, "memory"), new BrokerMetrics(), clock);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        server = BrokerServer.start(new BrokerServer.Config(
                broker,
                OperatorToken.of(TOKEN),
                any,
                any,
                tls.chain(),
                tls.key().getPrivate()));
    }

    String auditLog() {
        return audit.toString(StandardCharsets.UTF_8);
    }

    HttpResponse<byte[]> get(SSLContext client, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(client)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return http.send(
                HttpRequest.newBuilder(server.keepsUri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    OperatorClient operator() throws Exception {
        return new OperatorClient(
                server.operatorUri(), TestKeeps.anonymous(tls.chain().getFirst()), TOKEN);
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8).strip();
    }

    URI keeps() {
        return server.keepsUri();
    }

    @Override
    public void close() {
        server.close();
        broker.store().close();
    }
}
