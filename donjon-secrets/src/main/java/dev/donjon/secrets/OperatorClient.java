package dev.donjon.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** The operator CLI's side of {@link OperatorRoutes}: put, rotate, delete and list, with the operator token. */
public final class OperatorClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient http;
    private final String token;

    /** A secret as listed: never its value. */
    public record Listed(String name, long version, SecretPolicy policy, Instant created, Instant updated) {}

    public OperatorClient(URI operatorUrl, SSLContext tls, String token) {
        String s = operatorUrl.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.token = token;
    }

    public List<Listed> list() throws BrokerException {
        JsonNode a = json(send(request("v1/admin/secrets").GET(), "list the secrets"));
        List<Listed> out = new ArrayList<>();
        for (JsonNode n : a) {
            out.add(new Listed(
                    n.get("name").asText(),
                    n.get("version").asLong(),
                    SecretPolicy.fromJson(n.get("policy").toString()),
                    Instant.parse(n.get("created").asText()),
                    Instant.parse(n.get("updated").asText())));
        }
        return out;
    }

    /** @return the new version */
    public long put(String name, byte[] value, SecretPolicy policy) throws BrokerException {
        ObjectNode body =
                JSON.createObjectNode().put("value", Base64.getEncoder().encodeToString(value));
        try {
            body.set("policy", JSON.readTree(policy.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return version(send(request("v1/admin/secrets/" + path(name)).PUT(bytes(body)), "put secret " + name));
    }

    /** @return the new version */
    public long rotate(String name, byte[] value) throws BrokerException {
        ObjectNode body =
                JSON.createObjectNode().put("value", Base64.getEncoder().encodeToString(value));
        return version(
                send(request("v1/admin/secrets/" + path(name) + "/rotate").POST(bytes(body)), "rotate secret " + name));
    }

    /** @return false when there was no such secret */
    public boolean delete(String name) throws BrokerException {
        HttpResponse<byte[]> r = send(request("v1/admin/secrets/" + path(name)).DELETE(), "delete secret " + name, 404);
        return r.statusCode() == 204;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher bytes(ObjectNode body) {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher p = HttpRequest.BodyPublishers.ofByteArray(b.clone());
        Arrays.fill(b, (byte) 0);
        return p;
    }

    private static String path(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b, String what, int... alsoFine) throws BrokerException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new BrokerException("cannot " + what + ": the broker at " + base + " refuses connections");
        } catch (SSLException e) {
            throw new BrokerException("cannot " + what + ": TLS with the broker at " + base + " failed: "
                    + e.getMessage() + " (is its CA trusted? --ca-cert)");
        } catch (IOException e) {
            throw new BrokerException("cannot " + what + ": " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("interrupted");
        }
        int code = r.statusCode();
        if (code / 100 == 2 || Arrays.stream(alsoFine).anyMatch(c -> c == code)) return r;
        String reason = new String(r.body(), 0, Math.min(r.body().length, 1024), StandardCharsets.UTF_8)
                .lines()
                .findFirst()
                .orElse("")
                .strip();
        throw new BrokerException(
                "cannot " + what + " (HTTP " + code + "): " + (reason.isEmpty() ? "no reason given" : reason));
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws BrokerException {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new BrokerException("the broker answered something that is not JSON");
        }
    }

    private static long version(HttpResponse<byte[]> r) throws BrokerException {
        return json(r).get("version").asLong();
    }
}
