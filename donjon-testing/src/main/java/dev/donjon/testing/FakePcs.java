package dev.donjon.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A local HTTPS server that serves the real SGX and TDX collateral of ../shared/vectors the way Intel's PCS API v4 (and
 * a PCCS) does: the same paths and query parameters, TCB Info and QE Identity as signed JSON, CRLs as DER, and the
 * issuer chains URL-encoded in the {@code TCB-Info-Issuer-Chain}, {@code SGX-Enclave-Identity-Issuer-Chain} and
 * {@code SGX-PCK-CRL-Issuer-Chain} headers. It can be taken down (503, or 429 with Retry-After) to test outages.
 * Its certificate is a self-signed {@code localhost} one ({@link LocalhostTls}): clients trust it through {@link #clientTls()}.
 */
public final class FakePcs implements AutoCloseable {

    /** What the server does with a request. */
    public enum Mode {
        SERVE,
        DOWN_503,
        RATE_LIMITED_429
    }

    private final HttpsServer server;
    private final LocalhostTls identity;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.SERVE;

    private FakePcs(HttpsServer server, LocalhostTls identity) {
        this.server = server;
        this.identity = identity;
    }

    public static FakePcs start() throws Exception {
        LocalhostTls identity = LocalhostTls.create();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(identity.server()));
        FakePcs pcs = new FakePcs(server, identity);
        for (PcsVectors v : List.of(PcsVectors.sgx(), PcsVectors.tdx())) {
            String tee = v.tee();
            pcs.route(
                    "/" + tee + "/certification/v4/tcb",
                    "fmspc=" + v.fmspc().toUpperCase(),
                    "application/json",
                    v.tcbInfo(),
                    "TCB-Info-Issuer-Chain",
                    v.tcbInfoIssuerChain());
            pcs.route(
                    "/" + tee + "/certification/v4/qe/identity",
                    null,
                    "application/json",
                    v.qeIdentity(),
                    "SGX-Enclave-Identity-Issuer-Chain",
                    v.qeIdentityIssuerChain());
            pcs.route(
                    "/sgx/certification/v4/pckcrl",
                    "ca=" + v.pckCa() + "&encoding=der",
                    "application/pkix-crl",
                    v.pckCrl(),
                    "SGX-PCK-CRL-Issuer-Chain",
                    v.pckCrlIssuerChain());
        }
        // both vectors carry the same root CRL
        pcs.route(
                "/sgx/certification/v4/rootcacrl",
                null,
                "application/pkix-crl",
                PcsVectors.sgx().rootCrl(),
                null,
                null);
        server.createContext("/", pcs::notFound);
        server.start();
        return pcs;
    }

    private final Map<String, Map<String, Response>> routes = new ConcurrentHashMap<>();

    private record Response(String contentType, byte[] body, String header, String chain) {}

    private void route(String path, String query, String contentType, byte[] body, String header, String chain) {
        routes.computeIfAbsent(path, p -> {
                    server.createContext(p, this::handle);
                    return new ConcurrentHashMap<>();
                })
                .put(query == null ? "" : query, new Response(contentType, body, header, chain));
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String query =
                x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
        hits.computeIfAbsent(path + (query.isEmpty() ? "" : "?" + query), k -> new AtomicInteger())
                .incrementAndGet();
        try (x) {
            switch (mode) {
                case DOWN_503 -> {
                    x.sendResponseHeaders(503, -1);
                    return;
                }
                case RATE_LIMITED_429 -> {
                    x.getResponseHeaders().add("Retry-After", "120");
                    x.sendResponseHeaders(429, -1);
                    return;
                }
                case SERVE -> {}
            }
            Response r = routes.getOrDefault(path, Map.of()).get(query);
            if (r == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            x.getResponseHeaders().add("Content-Type", r.contentType());
            if (r.header() != null)
                x.getResponseHeaders()
                        .add(
                                r.header(),
                                URLEncoder.encode(r.chain(), StandardCharsets.UTF_8)
                                        .replace("+", "%20"));
            x.sendResponseHeaders(200, r.body().length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    private void notFound(HttpExchange x) throws IOException {
        try (x) {
            x.sendResponseHeaders(404, -1);
        }
    }

    public URI baseUri() {
        return URI.create("https://localhost:" + server.getAddress().getPort());
    }

    public void mode(Mode m) {
        mode = m;
    }

    /** Requests seen for {@code pathAndQuery}, e.g. {@code /sgx/certification/v4/tcb?fmspc=00A067110000}. */
    public int hits(String pathAndQuery) {
        return hits.getOrDefault(pathAndQuery, new AtomicInteger()).get();
    }

    public int totalHits() {
        return hits.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public X509Certificate certificate() {
        return identity.certificate();
    }

    /** A client context that trusts only this server. */
    public SSLContext clientTls() {
        return identity.client();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
