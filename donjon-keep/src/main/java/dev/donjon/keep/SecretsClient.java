package dev.donjon.keep;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.SSLContext;

/**
 * Fetches secrets from a secret broker ({@code GET /v1/secrets/NAME}) over mutual TLS 1.3, presenting the Keep's
 * Steward-issued certificate. A refusal ends the Keep with the broker's one-line reason, before the guest runs. Values
 * are returned to the caller only: never logged, never written anywhere.
 */
final class SecretsClient {

    /** The broker's cap, and the in-memory file cap of a Keep. */
    static final int MAX_VALUE = 1 << 20;

    private final URI broker;
    private final HttpClient http;

    /** @param tls presents the Keep's certificate and trusts the broker's CA */
    SecretsClient(URI broker, SSLContext tls) {
        String b = broker.toString();
        this.broker = URI.create(b.endsWith("/") ? b : b + "/");
        this.http = ServiceCall.client(tls);
    }

    byte[] fetch(String name) {
        URI uri = broker.resolve("v1/secrets/" + name);
        HttpResponse<InputStream> r = ServiceCall.send(
                http,
                HttpRequest.newBuilder(uri)
                        .timeout(ServiceCall.REQUEST_TIMEOUT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream(),
                "the secret broker at " + broker,
                "--secrets-ca");
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_VALUE + 1);
        } catch (IOException e) {
            throw new KeepException(
                    "the secret broker at " + broker + " broke off its answer for secret '" + name + "'", e);
        }
        if (r.statusCode() != 200) {
            throw new KeepException("the secret broker at " + broker + " refused secret '" + name + "' (HTTP "
                    + r.statusCode() + "): " + StewardClient.reason(body));
        }
        if (body.length > MAX_VALUE)
            throw new KeepException("secret '" + name + "' is larger than " + MAX_VALUE + " bytes");
        return body;
    }

    @Override
    public String toString() {
        return "SecretsClient[" + broker + "]";
    }
}
