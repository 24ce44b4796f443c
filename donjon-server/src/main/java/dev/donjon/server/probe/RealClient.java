package dev.donjon.server.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The client a slow-client attack must not starve: a fresh connection per request (as a new visitor would), each
 * request with a deadline. Reports how many were answered and how long the answers took.
 */
public final class RealClient {

    /** What {@link #measure} saw: answered requests' latencies (ms, sorted), and failures (timeouts, refusals). */
    public record Result(List<Long> latenciesMs, int failures, String firstFailure) {
        public long percentile(double p) {
            if (latenciesMs.isEmpty()) return -1;
            return latenciesMs.get((int) Math.min(latenciesMs.size() - 1, Math.floor(p * latenciesMs.size())));
        }

        public long max() {
            return latenciesMs.isEmpty() ? -1 : latenciesMs.getLast();
        }

        @Override
        public String toString() {
            return "answered " + latenciesMs.size() + " failed " + failures + " p50_ms " + percentile(0.5) + " p99_ms "
                    + percentile(0.99) + " max_ms " + max()
                    + (firstFailure == null ? "" : " first_failure " + firstFailure);
        }
    }

    private RealClient() {}

    /**
     * Sends {@code requests} GETs to {@code uri}, one after the other with {@code pause} between them.
     *
     * @param tls the client's TLS context for https (null: the JDK's default)
     */
    public static Result measure(URI uri, SSLContext tls, int requests, Duration pause, Duration deadline)
            throws InterruptedException {
        List<Long> latencies = new ArrayList<>();
        int failures = 0;
        String first = null;
        for (int i = 0; i < requests; i++) {
            HttpClient.Builder b =
                    HttpClient.newBuilder().connectTimeout(deadline).version(HttpClient.Version.HTTP_1_1);
            if (tls != null) b.sslContext(tls);
            try (HttpClient http = b.build()) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(uri).timeout(deadline).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (r.statusCode() < 500) {
                    latencies.add(ms);
                } else {
                    failures++;
                    if (first == null) first = "HTTP " + r.statusCode();
                }
            } catch (IOException e) {
                failures++;
                if (first == null) first = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            Thread.sleep(pause.toMillis());
        }
        Collections.sort(latencies);
        return new Result(List.copyOf(latencies), failures, first);
    }

    /** {@code RealClient URL REQUESTS PAUSE_MS DEADLINE_MS [CA_PEM]}: prints one line of results. */
    public static void main(String[] args) throws Exception {
        SSLContext tls = null;
        if (args.length > 4) {
            java.security.KeyStore anchors = java.security.KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(args[4]))) {
                int i = 0;
                for (var c : java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificates(in)) anchors.setCertificateEntry("ca" + i++, c);
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(anchors);
            tls = SSLContext.getInstance("TLSv1.3");
            tls.init(null, tmf.getTrustManagers(), null);
        }
        System.out.println(measure(
                URI.create(args[0]),
                tls,
                Integer.parseInt(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])),
                Duration.ofMillis(Long.parseLong(args[3]))));
    }
}
