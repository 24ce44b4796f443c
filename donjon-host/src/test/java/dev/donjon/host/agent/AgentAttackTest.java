package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.AgentClient;
import dev.donjon.host.client.AgentCredentials;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.server.Authenticator;
import dev.donjon.server.ServerTls;
import dev.donjon.server.TokenFile;
import dev.donjon.server.probe.RealClient;
import dev.donjon.server.probe.Slowloris;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 §2 and §3 against the agent's HTTP edge: nobody unauthenticated reaches a Keep, one principal cannot see,
 * feed, read or stop another's Keep, mutual TLS keeps certificate-less clients out, slow clients do not starve real
 * ones, and an over-limit body gets a 413 the client reads.
 */
class AgentAttackTest {
    static final String ALICE = "alice-agent-token-0123456789";
    static final String MALLORY = "mallory-agent-token-0123456789";
    static final int SLOW = Integer.getInteger("donjon.test.slowClients", 2000);

    @TempDir
    Path dir;

    private HostAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
        DeployEndToEndTest.assertNoChildProcesses();
    }

    private HostAgent.Config nil() {
        return HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil");
    }

    /** A CA, the agent's server certificate, and a client certificate, all issued here. */
    private record Pki(
            KeyPair caKeys,
            X509Certificate ca,
            KeyPair serverKeys,
            X509Certificate server,
            KeyPair clientKeys,
            X509Certificate client) {
        static Pki make() throws Exception {
            KeyPair ca = RegistryOnLoopback.ecKeys();
            X509Certificate caCert = RegistryOnLoopback.certificate("CN=Agent CA", ca, "CN=Agent CA", ca, true);
            KeyPair server = RegistryOnLoopback.ecKeys();
            KeyPair client = RegistryOnLoopback.ecKeys();
            return new Pki(
                    ca,
                    caCert,
                    server,
                    RegistryOnLoopback.certificate("CN=localhost", server, "CN=Agent CA", ca, false),
                    client,
                    RegistryOnLoopback.certificate("CN=owner-alice", client, "CN=Agent CA", ca, false));
        }

        SSLContext clientTls(boolean withCertificate) throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (withCertificate) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("k", clientKeys.getPrivate(), new char[0], new X509Certificate[] {client, ca});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    private AgentSecurity tokens(Pki pki) throws IOException {
        Path file = dir.resolve("tokens");
        Files.writeString(file, ALICE + " alice keeps\n" + MALLORY + " mallory keeps\n");
        ServerTls tls = ServerTls.of(
                List.of(pki.server(), pki.ca()),
                pki.serverKeys().getPrivate(),
                Optional.empty(),
                ServerTls.ClientAuth.NONE);
        return AgentSecurity.of(tls, new Authenticator(Optional.of(TokenFile.load(file)), Optional.empty(), false));
    }

    private static HttpResponse<String> send(HttpClient http, String method, URI uri, String token, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unauthenticatedClientsAndOtherPrincipalsCannotTouchAKeep() throws Exception {
        Pki pki = Pki.make();
        agent = HostAgent.start(nil().withSecurity(tokens(pki)));
        assertTrue(agent.baseUri().getScheme().equals("https"));
        HttpClient http =
                HttpClient.newBuilder().sslContext(pki.clientTls(false)).build();
        URI keeps = agent.baseUri().resolve("/v1/keeps");
        assertEquals(401, send(http, "GET", keeps, null, null).statusCode());
        assertEquals(401, send(http, "POST", keeps, null, "{}".getBytes()).statusCode());
        assertEquals(
                401, send(http, "GET", keeps, "not-a-token-0123456789", null).statusCode());

        // alice creates a Keep (through the client library, as donjon deploy does) and mallory goes after it
        AgentCredentials alice = new AgentCredentials(Optional.of(pki.clientTls(false)), Optional.of(ALICE));
        String id;
        try (AgentClient client = new AgentClient(agent.baseUri(), alice)) {
            byte[] nonce = new byte[32];
            client.createKeep(nonce, Optional.empty(), 64, Optional.empty());
            id = client.list().get(0).get("keepId").asText();
        }
        URI keep = agent.baseUri().resolve("/v1/keeps/" + id);
        assertEquals("[]", send(http, "GET", keeps, MALLORY, null).body().strip());
        assertEquals(404, send(http, "GET", keep, MALLORY, null).statusCode());
        assertEquals(
                404,
                send(http, "GET", URI.create(keep + "/output"), MALLORY, null).statusCode());
        assertEquals(
                404,
                send(http, "POST", URI.create(keep + "/package"), MALLORY, "garbage".getBytes())
                        .statusCode());
        assertEquals(404, send(http, "DELETE", keep, MALLORY, null).statusCode());
        assertEquals(401, send(http, "DELETE", keep, null, null).statusCode());
        assertEquals(
                "awaiting_package",
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(send(http, "GET", keep, ALICE, null).body())
                        .get("state")
                        .asText());
        assertEquals(200, send(http, "DELETE", keep, ALICE, null).statusCode());

        // and the whole deployment works for alice, with her credentials
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deployer d = new Deployer(
                Deployer.Options.to(agent.baseUri()).withCredentials(alice),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        assertEquals(0, d.deploy(Workloads.hello(), out, new ByteArrayOutputStream()));
        assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        // without credentials the client says what to give, in one line
        Deployer anonymous = new Deployer(
                Deployer.Options.to(agent.baseUri())
                        .withCredentials(new AgentCredentials(Optional.of(pki.clientTls(false)), Optional.empty())),
                TrustOptions.insecure(),
                Deployer.Progress.SILENT);
        var refused = assertThrows(
                dev.donjon.host.client.DeployException.class, () -> anonymous.deploy(Workloads.hello(), out, out));
        assertTrue(
                refused.getMessage().contains("(HTTP 401)")
                        && refused.getMessage().contains("--agent-token-file"),
                refused.getMessage());
    }

    @Test
    void mutualTlsKeepsClientsWithoutTheOperatorsCertificateOut() throws Exception {
        Pki pki = Pki.make();
        ServerTls tls = ServerTls.of(
                List.of(pki.server(), pki.ca()),
                pki.serverKeys().getPrivate(),
                Optional.of(List.of(pki.ca())),
                ServerTls.ClientAuth.REQUIRED);
        agent = HostAgent.start(
                nil().withSecurity(AgentSecurity.of(tls, new Authenticator(Optional.empty(), Optional.empty(), true))));
        URI keeps = agent.baseUri().resolve("/v1/keeps");
        HttpClient without =
                HttpClient.newBuilder().sslContext(pki.clientTls(false)).build();
        assertThrows(IOException.class, () -> send(without, "GET", keeps, null, null));
        HttpClient with =
                HttpClient.newBuilder().sslContext(pki.clientTls(true)).build();
        HttpResponse<String> r = send(with, "GET", keeps, null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
        // a TLS 1.2 client is refused: TLS 1.3 only
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(null, null, null);
        HttpClient old = HttpClient.newBuilder()
                .sslContext(tls12)
                .sslParameters(new javax.net.ssl.SSLParameters(null, new String[] {"TLSv1.2"}))
                .build();
        assertThrows(IOException.class, () -> send(old, "GET", keeps, null, null));
    }

    @Test
    void slowClientsDoNotStarveRealOnes() throws Exception {
        agent = HostAgent.start(nil());
        InetSocketAddress address = new InetSocketAddress(
                InetAddress.getLoopbackAddress(), agent.baseUri().getPort());
        for (Slowloris.Mode mode : Slowloris.Mode.values()) {
            try (Slowloris attack = Slowloris.start(address, SLOW, mode, Duration.ofSeconds(3))) {
                attack.awaitOpen(SLOW * 9 / 10, Duration.ofSeconds(60));
                RealClient.Result r = RealClient.measure(
                        agent.baseUri().resolve("/v1/keeps"), null, 10, Duration.ofMillis(100), Duration.ofSeconds(10));
                assertEquals(0, r.failures(), mode + " slowloris of " + attack.open() + " connections: " + r);
            }
        }
    }

    @Test
    void anOverLimitBodyGetsA413TheClientCanRead() throws Exception {
        agent = HostAgent.start(nil());
        HttpResponse<String> r = send(
                HttpClient.newHttpClient(), "POST", agent.baseUri().resolve("/v1/keeps"), null, new byte[16 << 20]);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("larger than"), r.body());
    }
}
