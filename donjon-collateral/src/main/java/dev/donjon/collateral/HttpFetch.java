package dev.donjon.collateral;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * GETs for the collateral services: bounded bodies, timeouts, no redirects to elsewhere, and failures as
 * {@link CollateralSource.FetchException}s naming the URL (with the service's Retry-After on 429 and 503).
 */
final class HttpFetch {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    record Answer(byte[] body, HttpResponse<?> response) {
        Optional<String> header(String... names) {
            for (String n : names) {
                Optional<String> v = response.headers().firstValue(n);
                if (v.isPresent()) return v;
            }
            return Optional.empty();
        }
    }

    private final HttpClient http;

    HttpFetch(HttpClient http) {
        this.http = http;
    }

    /** A client with the JDK's trust anchors (or {@code tls}'s), HTTP/1.1, no redirects. */
    static HttpClient client(Optional<javax.net.ssl.SSLContext> tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        tls.ifPresent(b::sslContext);
        return b.build();
    }

    Answer get(URI uri, String accept, int maxBytes, Instant now) throws CollateralSource.FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", accept)
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new CollateralSource.FetchException(
                    uri + ": no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new CollateralSource.FetchException(uri + ": no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new CollateralSource.FetchException(uri + ": connection refused");
        } catch (SSLException e) {
            throw new CollateralSource.FetchException(uri + ": TLS failed: " + root(e));
        } catch (IOException e) {
            throw new CollateralSource.FetchException(uri + ": " + root(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollateralSource.FetchException(uri + ": interrupted");
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new CollateralSource.FetchException(uri + ": the answer broke off: " + root(e));
        }
        int status = response.statusCode();
        if (status != 200) {
            Optional<Duration> retry = status == 429 || status == 503
                    ? retryAfter(response.headers().firstValue("Retry-After"), now)
                    : Optional.empty();
            throw new CollateralSource.FetchException(
                    uri + " answered HTTP " + status
                            + (status == 404 ? " (not found)" : status == 429 ? " (too many requests)" : ""),
                    retry);
        }
        if (body.length > maxBytes)
            throw new CollateralSource.FetchException(uri + " sent more than " + maxBytes + " bytes");
        return new Answer(body, response);
    }

    /** Seconds or an HTTP date (RFC 9110 10.2.3); nonsense is ignored. */
    static Optional<Duration> retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty()) return Optional.empty();
        String v = header.get().strip();
        try {
            long s = Long.parseLong(v);
            return s >= 0 ? Optional.of(Duration.ofSeconds(Math.min(s, 86_400))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(
                        now,
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
                return d.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    /** A PCS issuer-chain header: URL-encoded PEM ({@code %2B} for '+', so a literal '+' stays one). */
    static String decodeChain(String header) {
        return URLDecoder.decode(header.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static String root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
