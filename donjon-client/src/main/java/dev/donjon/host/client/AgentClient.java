package dev.donjon.host.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Talks to a host agent's HTTP API (see the agent's handler for the endpoints). Everything it sends is public or sealed. */
public final class AgentClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record of a Keep's output stream: an encrypted chunk, or the agent's closing notice. */
    public sealed interface OutputRecord {
        record Chunk(byte[] ciphertext) implements OutputRecord {}

        record Notice(String text) implements OutputRecord {}
    }

    private final URI base;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http;
    private final Optional<String> token;

    /** An agent reached with the JDK's trust anchors and no credentials (an agent started with --insecure-plain-http). */
    public AgentClient(URI base) {
        this(base, AgentCredentials.none());
    }

    public AgentClient(URI base, AgentCredentials credentials) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
        credentials.tls().ifPresent(b::sslContext);
        this.http = b.build();
        this.token = credentials.token();
    }

    /** Every request carries the bearer token, when there is one. */
    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    /** Asks for a Keep bound to {@code nonce}; returns the offer bytes (JSON) as the agent relayed them. */
    public byte[] createKeep(byte[] nonce, Optional<String> backend, long memoryMiB, Optional<Duration> maxTime)
            throws IOException, AgentException {
        return createKeep(nonce, backend, memoryMiB, maxTime, Optional.empty());
    }

    /** As above, and the guest is stopped once it has used {@code maxCpuTime} of CPU (both to the millisecond). */
    public byte[] createKeep(
            byte[] nonce,
            Optional<String> backend,
            long memoryMiB,
            Optional<Duration> maxTime,
            Optional<Duration> maxCpuTime)
            throws IOException, AgentException {
        ObjectNode body =
                JSON.createObjectNode().put("nonce", Base64.getEncoder().encodeToString(nonce));
        backend.ifPresent(b -> body.put("backend", b));
        ObjectNode limits = body.putObject("limits").put("memoryMiB", memoryMiB);
        maxTime.ifPresent(t -> limits.put("timeMillis", millis(t)));
        maxCpuTime.ifPresent(t -> limits.put("cpuMillis", millis(t)));
        HttpResponse<byte[]> r = send(request(base.resolve("v1/keeps"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build());
        expect(r, 201, "create a Keep");
        return r.body();
    }

    public void sendPackage(String keepId, byte[] sealed) throws IOException, AgentException {
        HttpResponse<byte[]> r = send(request(keepUri(keepId, "/package"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sealed))
                .build());
        expect(r, 202, "deliver the package");
    }

    /** A limit as the agent takes it: whole milliseconds, at least 1 (a positive limit below 1 ms cannot be meant as none). */
    private static long millis(Duration d) {
        return Math.max(1, d.toMillis());
    }

    /**
     * One upload of the guest's stdin: {@code records} (sealed, framed) are read and sent as they come, until their end.
     * Returns at once; the future fails with the agent's one-line reason.
     */
    public CompletableFuture<Void> sendInput(String keepId, InputStream records) {
        HttpRequest request = request(keepUri(keepId, "/input"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> records))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            if (r.statusCode() != 200)
                throw new CompletionException(new AgentException(
                        "the host agent could not relay stdin: " + errorOf(r.statusCode(), r.body())));
            return null;
        });
    }

    public void stopKeep(String keepId) throws IOException, AgentException {
        HttpResponse<byte[]> r = send(request(keepUri(keepId, "")).DELETE().build());
        if (r.statusCode() != 404) expect(r, 200, "stop the Keep");
    }

    public JsonNode status(String keepId) throws IOException, AgentException {
        HttpResponse<byte[]> r = send(request(keepUri(keepId, "")).GET().build());
        expect(r, 200, "read the Keep's status");
        return JSON.readTree(r.body());
    }

    public JsonNode list() throws IOException, AgentException {
        HttpResponse<byte[]> r = send(request(base.resolve("v1/keeps")).GET().build());
        expect(r, 200, "list Keeps");
        return JSON.readTree(r.body());
    }

    /** Opens the Keep's output stream; read it with {@link #next}. */
    public InputStream openOutput(String keepId) throws IOException, AgentException {
        HttpResponse<InputStream> r;
        try {
            r = http.send(request(keepUri(keepId, "/output")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new IOException("cannot connect to the host agent at " + base + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (javax.net.ssl.SSLException e) {
            throw tlsFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (r.statusCode() != 200) {
            byte[] body = r.body().readAllBytes();
            throw new AgentException("the host agent could not stream the output: " + errorOf(r.statusCode(), body));
        }
        return r.body();
    }

    /** The next record, or empty at a clean end of stream. */
    public static Optional<OutputRecord> next(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int kind = d.read();
        if (kind < 0) return Optional.empty();
        int length;
        byte[] data;
        try {
            length = d.readInt();
            if (length < 0 || length > (64 << 20))
                throw new IOException("output record of " + length + " bytes is malformed");
            data = new byte[length];
            d.readFully(data);
        } catch (EOFException e) {
            throw new IOException("the output stream was cut in the middle of a record");
        }
        return switch (kind) {
            case 1 -> Optional.of(new OutputRecord.Chunk(data));
            case 2 -> Optional.of(new OutputRecord.Notice(new String(data, java.nio.charset.StandardCharsets.UTF_8)));
            default -> throw new IOException("unknown output record kind " + kind);
        };
    }

    private URI keepUri(String keepId, String suffix) {
        if (!keepId.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("malformed Keep id");
        return base.resolve("v1/keeps/" + keepId + suffix);
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new IOException("cannot connect to the host agent at " + base + ": no answer within "
                    + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            // the JDK's message is often empty and its class name means nothing to a user
            throw new IOException("cannot connect to the host agent at " + base
                    + ": connection refused (is 'donjon host serve' running there?)");
        } catch (javax.net.ssl.SSLException e) {
            throw tlsFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private IOException tlsFailure(javax.net.ssl.SSLException e) {
        String why = e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().replaceAll("\\s*\\R\\s*", " ");
        String hint = why.contains("certification path") || why.contains("trust")
                ? " (is its CA trusted? add it with --agent-ca)"
                : " (does the agent require a client certificate? give --client-cert and --client-key)";
        return new IOException("TLS with the host agent at " + base + " failed: " + why + hint);
    }

    private static void expect(HttpResponse<byte[]> r, int status, String what) throws AgentException {
        if (r.statusCode() != status)
            throw new AgentException("the host agent could not " + what + ": " + errorOf(r.statusCode(), r.body()));
    }

    /** The agent's one-line reason (text/plain; agents before the shared edge sent {"error": "..."}). */
    private static String errorOf(int status, byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            try {
                JsonNode n = JSON.readTree(body);
                if (n != null && n.hasNonNull("error")) text = n.get("error").asText();
            } catch (IOException ignored) {
                // not JSON after all: the text as it is
            }
        }
        text = text.lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "?");
        if (text.length() > 300) text = text.substring(0, 300) + "...";
        String hint = status == 401 ? " (give --agent-token-file, or --client-cert and --client-key)" : "";
        return (text.isEmpty() ? "" : text + " ") + "(HTTP " + status + ")" + hint;
    }

    /** Stops at once: an input upload may still be waiting for stdin (a terminal) when the deployment is over. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    /** The agent answered with an error; the message is one line. */
    public static final class AgentException extends Exception {
        public AgentException(String message) {
            super(message);
        }
    }
}
