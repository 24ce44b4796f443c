package dev.donjon.keep;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Fetches secrets from a secret broker ({@code GET /v1/secrets/NAME}) over mutual TLS 1.3, presenting the Keep's
 * Steward-issued certificate. A refusal ends the Keep with the broker's one-line reason, before the guest runs. Values
 * are returned to the caller only: never logged, never written anywhere.
 */
final class SecretsClient {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The broker's cap, and the in-memory file cap of a Keep. */
    static final int MAX_VALUE = 1 << 20;

    private final URI broker;
    private final HttpClient http;

    /** @param tls presents the Keep's certificate and trusts the broker's CA */
    SecretsClient(URI broker, SSLContext tls) {
        String b = broker.toString();
        this.broker = URI.create(b.endsWith("/") ? b : b + "/");
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    byte[] fetch(String name) {
        URI uri = broker.resolve("v1/secrets/" + name);
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new KeepException("cannot reach the secret broker at " + broker + ": no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new KeepException("the secret broker at " + broker + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw new KeepException("cannot reach the secret broker at " + broker + ": connection refused", e);
        } catch (SSLException e) {
            throw new KeepException("TLS with the secret broker at " + broker + " failed: " + e.getMessage() + " (is its CA trusted? --secrets-ca)", e);
        } catch (IOException e) {
            throw new KeepException("cannot reach the secret broker at " + broker + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeepException("interrupted while fetching secrets", e);
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_VALUE + 1);
        } catch (IOException e) {
            throw new KeepException("the secret broker at " + broker + " broke off its answer for secret '" + name + "'", e);
        }
        if (r.statusCode() != 200) {
            throw new KeepException("the secret broker at " + broker + " refused secret '" + name + "' (HTTP " + r.statusCode() + "): "
                    + StewardClient.reason(body));
        }
        if (body.length > MAX_VALUE) throw new KeepException("secret '" + name + "' is larger than " + MAX_VALUE + " bytes");
        return body;
    }

    @Override
    public String toString() { return "SecretsClient[" + broker + "]"; }

}
