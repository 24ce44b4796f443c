package dev.donjon.host.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.donjon.host.link.LinkFrame;
import dev.donjon.host.protocol.KeepBinding;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's HTTP API (JSON unless noted):
 * <pre>
 * GET    /                         health: backend, Keeps running
 * POST   /v1/keeps                 {"nonce": base64(32 bytes), "backend"?: name,
 *                                   "limits"?: {"memoryMiB", "timeMillis" | "timeSeconds", "cpuMillis" | "cpuSeconds"}}
 *                                  -> 201 the Keep's offer {keepId, backend, publicKey, evidence}
 * GET    /v1/keeps                 -> [{keepId, backend, state, pid, created, ended?}]
 * GET    /v1/keeps/{id}            -> one of those
 * POST   /v1/keeps/{id}/package    application/octet-stream sealed package -> 202 | 409 {"error": why the Keep refused it}
 * POST   /v1/keeps/{id}/input      application/octet-stream, streamed: records [u32 length][sealed input chunk], relayed to
 *                                  the Keep as they arrive (the guest's stdin); -> 204 at the end of the body
 * GET    /v1/keeps/{id}/output     application/octet-stream, streamed: records [u8 kind][u32 length][bytes],
 *                                  kind 1 = an encrypted output chunk, kind 2 = the agent's notice of how the Keep ended (last)
 * DELETE /v1/keeps/{id}            stops the Keep and forgets it
 * </pre>
 * Errors are {"error": "one line"} with 400 (bad request), 404, 409, 502 (the Keep failed), 503 (capacity).
 */
final class AgentHandler implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(AgentHandler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CREATE_BODY = 64 << 10;
    /** A sealed input chunk: one frame of at most 64 KiB of stdin, its type byte and the AEAD tag. */
    private static final int MAX_INPUT_RECORD = (64 << 10) + 1024;
    static final int OUTPUT_CHUNK = 1;
    static final int OUTPUT_NOTICE = 2;

    private final HostAgent agent;

    AgentHandler(HostAgent agent) { this.agent = agent; }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        // not try-with-resources: that would close the exchange before the catch clauses could answer
        try {
            route(ex);
        } catch (RequestException e) {
            error(ex, e.status, e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.FINE, "client connection failed", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "agent request failed", e);
            error(ex, 500, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException, RequestException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        String[] parts = path.split("/", -1);
        if (path.equals("/") && method.equals("GET")) {
            ObjectNode o = JSON.createObjectNode().put("service", "donjon host agent")
                    .put("backend", agent.config().backend()).put("running", agent.running());
            json(ex, 200, o);
            return;
        }
        if (parts.length < 3 || !parts[1].equals("v1") || !parts[2].equals("keeps")) throw new RequestException(404, "no such endpoint " + path);
        if (parts.length == 3) {
            switch (method) {
                case "POST" -> create(ex);
                case "GET" -> {
                    ArrayNode a = JSON.createArrayNode();
                    agent.list().forEach(k -> a.add(status(k)));
                    json(ex, 200, a);
                }
                default -> throw new RequestException(405, method + " is not allowed on /v1/keeps");
            }
            return;
        }
        String id = parts[3];
        if (parts.length == 4) {
            switch (method) {
                case "GET" -> json(ex, 200, status(keep(id)));
                case "DELETE" -> {
                    if (!agent.remove(id)) throw new RequestException(404, "no Keep " + id);
                    json(ex, 200, JSON.createObjectNode().put("keepId", id).put("state", "stopped"));
                }
                default -> throw new RequestException(405, method + " is not allowed on a Keep");
            }
            return;
        }
        if (parts.length == 5 && parts[4].equals("package") && method.equals("POST")) {
            deliver(ex, keep(id));
        } else if (parts.length == 5 && parts[4].equals("input") && method.equals("POST")) {
            input(ex, keep(id));
        } else if (parts.length == 5 && parts[4].equals("output") && method.equals("GET")) {
            output(ex, keep(id));
        } else {
            throw new RequestException(404, "no such endpoint " + method + " " + path);
        }
    }

    private KeepProcess keep(String id) throws RequestException {
        return agent.find(id).orElseThrow(() -> new RequestException(404, "no Keep " + id));
    }

    private void create(HttpExchange ex) throws IOException, RequestException {
        JsonNode body;
        try {
            body = JSON.readTree(body(ex, MAX_CREATE_BODY));
        } catch (IOException e) {
            throw new RequestException(400, "request body is not JSON");
        }
        if (body == null || !body.isObject()) throw new RequestException(400, "request body must be a JSON object");
        byte[] nonce;
        try {
            nonce = Base64.getDecoder().decode(body.path("nonce").asText(""));
        } catch (IllegalArgumentException e) {
            throw new RequestException(400, "nonce is not base64");
        }
        if (nonce.length != KeepBinding.NONCE_BYTES) throw new RequestException(400, "nonce must be " + KeepBinding.NONCE_BYTES + " bytes");
        String backend = body.path("backend").asText(agent.config().backend());
        if (!backend.equals(agent.config().backend())) {
            throw new RequestException(400, "this agent runs " + agent.config().backend() + " Keeps, not " + backend);
        }
        KeepLimits limits = limits(body.path("limits"));
        KeepProcess keep;
        try {
            keep = agent.create(limits);
        } catch (HostAgent.CapacityException e) {
            throw new RequestException(503, e.getMessage());
        }
        byte[] offer;
        try {
            offer = keep.hello(nonce, agent.config().startTimeout());
        } catch (KeepProcess.KeepFailedException e) {
            agent.remove(keep.id);
            throw new RequestException(502, e.getMessage());
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Location", "/v1/keeps/" + keep.id);
        send(ex, 201, offer);
    }

    private static KeepLimits limits(JsonNode l) throws RequestException {
        if (l.isMissingNode() || l.isNull()) return KeepLimits.defaults();
        try {
            long memory = l.has("memoryMiB") ? l.get("memoryMiB").asLong() << 20 : KeepLimits.DEFAULT_MEMORY;
            return new KeepLimits(memory, duration(l, "time"), duration(l, "cpu"));
        } catch (IllegalArgumentException e) {
            throw new RequestException(400, "limits: " + e.getMessage());
        }
    }

    /** {@code NAMEMillis} or {@code NAMESeconds} (the older form), not both. */
    private static Optional<Duration> duration(JsonNode limits, String name) {
        boolean millis = limits.has(name + "Millis"), seconds = limits.has(name + "Seconds");
        if (millis && seconds) throw new IllegalArgumentException("give " + name + "Millis or " + name + "Seconds, not both");
        if (millis) return Optional.of(Duration.ofMillis(number(limits, name + "Millis")));
        return seconds ? Optional.of(Duration.ofSeconds(number(limits, name + "Seconds"))) : Optional.empty();
    }

    private static long number(JsonNode limits, String field) {
        JsonNode n = limits.get(field);
        if (!n.canConvertToLong()) throw new IllegalArgumentException(field + " must be a whole number");
        return n.asLong();
    }

    private void deliver(HttpExchange ex, KeepProcess keep) throws IOException, RequestException {
        byte[] sealed = body(ex, LinkFrame.MAX_PAYLOAD);
        KeepProcess.PackageReply reply;
        try {
            reply = keep.deliver(sealed, agent.config().startTimeout());
        } catch (KeepProcess.KeepFailedException e) {
            throw new RequestException(502, e.getMessage());
        }
        if (!reply.accepted()) throw new RequestException(409, "the Keep refused the package: " + reply.reason());
        json(ex, 202, JSON.createObjectNode().put("keepId", keep.id).put("state", "running"));
    }

    /**
     * Relays the client's sealed input chunks to the Keep as they arrive, with back-pressure (a Keep whose guest does not
     * read stdin slows the upload down). The agent cannot read them; it only frames them.
     */
    private void input(HttpExchange ex, KeepProcess keep) throws IOException, RequestException {
        if (!keep.claimInput()) throw new RequestException(409, "the Keep's input is already being sent, or the Keep is not running");
        try (DataInputStream in = new DataInputStream(agent.config().tap().tap(Tap.Channel.CLIENT_IN, ex.getRequestBody()))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                if (length < 0 || length > MAX_INPUT_RECORD) throw new RequestException(400, "input record of " + Integer.toUnsignedString(length) + " bytes");
                byte[] chunk = new byte[length];
                try {
                    in.readFully(chunk);
                } catch (EOFException e) {
                    throw new RequestException(400, "the input was cut in the middle of a record");
                }
                try {
                    keep.sendInput(chunk);
                } catch (KeepProcess.KeepFailedException e) {
                    throw new RequestException(409, e.getMessage());
                }
            }
        }
        ex.sendResponseHeaders(204, -1);
    }

    private void output(HttpExchange ex, KeepProcess keep) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, 0);
        DataOutputStream out = new DataOutputStream(agent.config().tap().tap(Tap.Channel.CLIENT_OUT, ex.getResponseBody()));
        int seen = 0;
        try {
            while (true) {
                KeepProcess.Snapshot s = keep.awaitOutput(seen, Duration.ofSeconds(15));
                for (byte[] chunk : s.chunks()) record(out, OUTPUT_CHUNK, chunk);
                seen += s.chunks().size();
                if (s.endNotice().isPresent()) {
                    record(out, OUTPUT_NOTICE, s.endNotice().get().getBytes(StandardCharsets.UTF_8));
                    break;
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }

    private static void record(DataOutputStream out, int kind, byte[] data) throws IOException {
        out.writeByte(kind);
        out.writeInt(data.length);
        out.write(data);
    }

    private static ObjectNode status(KeepProcess k) {
        ObjectNode o = JSON.createObjectNode().put("keepId", k.id).put("backend", k.backend)
                .put("state", k.state().name().toLowerCase(java.util.Locale.ROOT)).put("pid", k.pid())
                .put("created", k.created.toString()).put("memoryMiB", k.limits.maxMemoryBytes() >> 20);
        k.endNotice().ifPresent(n -> o.put("ended", n));
        return o;
    }

    private byte[] body(HttpExchange ex, int max) throws IOException, RequestException {
        try (InputStream in = agent.config().tap().tap(Tap.Channel.CLIENT_IN, ex.getRequestBody())) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new RequestException(413, "request body is larger than " + max + " bytes");
            return b;
        }
    }

    private void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, JSON.writeValueAsBytes(body));
    }

    private void error(HttpExchange ex, int status, String message) {
        try {
            json(ex, status, JSON.createObjectNode().put("error", message));
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = agent.config().tap().tap(Tap.Channel.CLIENT_OUT, ex.getResponseBody())) {
            out.write(body);
        }
    }

    static final class RequestException extends Exception {
        final int status;

        RequestException(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
