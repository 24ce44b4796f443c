package dev.donjon.host.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.host.link.LinkFrame;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.server.ApiError;
import dev.donjon.server.Exchange;
import dev.donjon.server.Routes;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The agent's HTTP API, one route table ({@link #routes}); JSON unless noted:
 * <pre>
 * GET    /                         health: backend, Keeps running
 * POST   /v1/keeps                 {"nonce": base64(32 bytes), "backend"?: name,
 *                                   "limits"?: {"memoryMiB", "timeMillis" | "timeSeconds", "cpuMillis" | "cpuSeconds"}}
 *                                  -> 201 the Keep's offer {keepId, backend, publicKey, evidence}
 * GET    /v1/keeps                 -> [{keepId, backend, state, pid, created, ended?}] (the caller's own Keeps)
 * GET    /v1/keeps/{id}            -> one of those
 * POST   /v1/keeps/{id}/package    application/octet-stream sealed package -> 202 | 409 (why the Keep refused it)
 * POST   /v1/keeps/{id}/input      application/octet-stream, streamed: records [u32 length][sealed input chunk], relayed to
 *                                  the Keep as they arrive (the guest's stdin; length 0: a keep-alive, not relayed)
 *                                  -> 200 at the end of the body; one upload at a time, the next one continuing it
 * GET    /v1/keeps/{id}/output     application/octet-stream, streamed: records [u8 kind][u32 length][bytes],
 *                                  kind 1 = an encrypted output chunk, kind 2 = the agent's notice of how the Keep ended (last)
 * DELETE /v1/keeps/{id}            stops the Keep and forgets it
 * </pre>
 * Errors are the edge's: a status and one line of text/plain — 400, 401 (not authenticated), 404 (no such Keep, or
 * another principal's), 409, 413, 429 (the principal's quota), 502 (the Keep failed), 503 (capacity). The handler only translates: the principal the
 * edge authenticated goes to the agent's core ({@link HostAgent}), which decides what it may see and do.
 */
final class AgentHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CREATE_BODY = 64 << 10;
    /** A sealed input chunk: one frame of at most 64 KiB of stdin, its type byte and the AEAD tag. */
    private static final int MAX_INPUT_RECORD = (64 << 10) + 1024;

    static final int OUTPUT_CHUNK = 1;
    static final int OUTPUT_NOTICE = 2;

    private final HostAgent agent;

    AgentHandler(HostAgent agent) {
        this.agent = agent;
    }

    Routes routes() {
        return new Routes()
                .get("/", this::health)
                .post("/v1/keeps", this::create)
                .get("/v1/keeps", ex -> {
                    ArrayNode a = JSON.createArrayNode();
                    agent.list(who(ex)).forEach(k -> a.add(status(k)));
                    json(ex, 200, a);
                })
                .get("/v1/keeps/{id}", ex -> json(ex, 200, status(keep(ex))))
                .delete("/v1/keeps/{id}", ex -> {
                    String id = ex.pathParam("id");
                    if (!agent.remove(who(ex), id)) throw ApiError.notFound("no Keep " + id);
                    json(ex, 200, JSON.createObjectNode().put("keepId", id).put("state", "stopped"));
                })
                .post("/v1/keeps/{id}/package", ex -> deliver(ex, keep(ex)))
                .post("/v1/keeps/{id}/input", ex -> input(ex, keep(ex)))
                .get("/v1/keeps/{id}/output", ex -> output(ex, keep(ex)))
                .notFoundHint("(the API is /v1/keeps)");
    }

    /** The agent's own refusals. */
    Optional<ApiError> mapError(Throwable failure) {
        return Optional.ofNullable(
                switch (failure) {
                    case HostAgent.CapacityException e -> new ApiError(e.quota ? 429 : 503, e.getMessage());
                    case KeepProcess.NotReadyException e -> new ApiError(409, e.getMessage());
                    case KeepProcess.KeepFailedException e -> new ApiError(502, e.getMessage());
                    default -> null;
                });
    }

    /**
     * The edge's principal as the agent's core knows it. Without authentication (only with --insecure-plain-http)
     * everyone is the one anonymous principal; otherwise an unauthenticated request is refused here.
     */
    private Principal who(Exchange ex) {
        return switch (ex.principal()) {
            case dev.donjon.server.Principal.Bearer t ->
                t.issuer().isPresent()
                        ? new Principal.Authenticated("oidc", t.issuer().get() + "|" + t.subject())
                        : new Principal.Authenticated("token", t.subject());
            case dev.donjon.server.Principal.ClientCertificate c -> new Principal.Authenticated("mtls", c.subject());
            case dev.donjon.server.Principal.Anonymous a -> {
                if (!agent.config().security().insecure())
                    throw ApiError.unauthorized(
                            "authenticate: a client certificate from the operator's CA or a bearer token");
                yield Principal.anonymous();
            }
        };
    }

    private void health(Exchange ex) throws IOException {
        ObjectNode o = JSON.createObjectNode()
                .put("service", "donjon host agent")
                .put("backend", agent.config().backend())
                .put("running", agent.running());
        json(ex, 200, o);
    }

    private KeepProcess keep(Exchange ex) {
        String id = ex.pathParam("id");
        return agent.find(who(ex), id).orElseThrow(() -> ApiError.notFound("no Keep " + id));
    }

    private void create(Exchange ex) throws IOException, HostAgent.CapacityException {
        Principal who = who(ex);
        JsonNode body;
        try {
            body = JSON.readTree(body(ex, MAX_CREATE_BODY));
        } catch (IOException e) {
            throw ApiError.badRequest("request body is not JSON");
        }
        if (body == null || !body.isObject()) throw ApiError.badRequest("request body must be a JSON object");
        byte[] nonce;
        try {
            nonce = Base64.getDecoder().decode(body.path("nonce").asText(""));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("nonce is not base64");
        }
        if (nonce.length != KeepBinding.NONCE_BYTES)
            throw ApiError.badRequest("nonce must be " + KeepBinding.NONCE_BYTES + " bytes");
        String backend = body.path("backend").asText(agent.config().backend());
        if (!backend.equals(agent.config().backend())) {
            throw ApiError.badRequest("this agent runs " + agent.config().backend() + " Keeps, not " + backend);
        }
        KeepLimits limits = limits(body.path("limits"));
        KeepProcess keep = agent.create(who, limits);
        byte[] offer;
        try {
            offer = keep.hello(nonce, agent.config().startTimeout());
        } catch (KeepProcess.KeepFailedException e) {
            agent.remove(who, keep.id);
            throw new ApiError(502, e.getMessage());
        }
        ex.responseHeader("Location", "/v1/keeps/" + keep.id);
        ex.send(201, "application/json", tapped(offer));
    }

    private static KeepLimits limits(JsonNode l) {
        if (l.isMissingNode() || l.isNull()) return KeepLimits.defaults();
        try {
            long memory = l.has("memoryMiB") ? l.get("memoryMiB").asLong() << 20 : KeepLimits.DEFAULT_MEMORY;
            return new KeepLimits(memory, duration(l, "time"), duration(l, "cpu"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("limits: " + e.getMessage());
        }
    }

    /** {@code NAMEMillis} or {@code NAMESeconds} (the older form), not both. */
    private static Optional<Duration> duration(JsonNode limits, String name) {
        boolean millis = limits.has(name + "Millis"), seconds = limits.has(name + "Seconds");
        if (millis && seconds)
            throw new IllegalArgumentException("give " + name + "Millis or " + name + "Seconds, not both");
        if (millis) return Optional.of(Duration.ofMillis(number(limits, name + "Millis")));
        return seconds ? Optional.of(Duration.ofSeconds(number(limits, name + "Seconds"))) : Optional.empty();
    }

    private static long number(JsonNode limits, String field) {
        JsonNode n = limits.get(field);
        if (!n.canConvertToLong()) throw new IllegalArgumentException(field + " must be a whole number");
        return n.asLong();
    }

    private void deliver(Exchange ex, KeepProcess keep)
            throws IOException, KeepProcess.KeepFailedException, KeepProcess.NotReadyException {
        byte[] sealed = body(ex, LinkFrame.MAX_PAYLOAD);
        KeepProcess.PackageReply reply = keep.deliver(sealed, agent.config().startTimeout());
        if (!reply.accepted()) throw ApiError.conflict("the Keep refused the package: " + reply.reason());
        json(ex, 202, JSON.createObjectNode().put("keepId", keep.id).put("state", "running"));
    }

    /**
     * Relays the client's sealed input chunks to the Keep as they arrive, with back-pressure (a Keep whose guest does not
     * read stdin slows the upload down). The agent cannot read them; it only frames them. A client sends a long input as
     * successive uploads (each within the edge's body limit); the Keep's chunk numbers keep them in order.
     */
    private void input(Exchange ex, KeepProcess keep) throws IOException, KeepProcess.KeepFailedException {
        if (!keep.claimInput())
            throw ApiError.conflict("the Keep is not running, or its input is being sent by another upload");
        long records = 0;
        try (DataInputStream in =
                new DataInputStream(agent.config().tap().tap(Tap.Channel.CLIENT_IN, ex.bodyStream()))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                if (length == 0)
                    continue; // the client's keep-alive while its stdin is quiet (the edge times out silent reads)
                if (length < 0 || length > MAX_INPUT_RECORD)
                    throw ApiError.badRequest("input record of " + Integer.toUnsignedString(length) + " bytes");
                byte[] chunk = new byte[length];
                try {
                    in.readFully(chunk);
                } catch (EOFException e) {
                    throw ApiError.badRequest("the input was cut in the middle of a record");
                }
                keep.sendInput(chunk);
                records++;
            }
        } finally {
            keep.releaseInput();
        }
        json(ex, 200, JSON.createObjectNode().put("keepId", keep.id).put("inputChunks", records));
    }

    private void output(Exchange ex, KeepProcess keep) throws IOException {
        try (DataOutputStream out = new DataOutputStream(
                agent.config().tap().tap(Tap.Channel.CLIENT_OUT, ex.stream(200, "application/octet-stream", -1)))) {
            int seen = 0;
            while (true) {
                KeepProcess.Snapshot s = keep.awaitOutput(seen, Duration.ofSeconds(15));
                for (byte[] chunk : s.chunks()) record(out, OUTPUT_CHUNK, chunk);
                seen += s.chunks().size();
                if (s.endNotice().isPresent()) {
                    record(out, OUTPUT_NOTICE, s.endNotice().get().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    keep.delivered(); // all of it reached this reader: the agent need not hold it any more
                    break;
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void record(DataOutputStream out, int kind, byte[] data) throws IOException {
        out.writeByte(kind);
        out.writeInt(data.length);
        out.write(data);
    }

    private static ObjectNode status(KeepProcess k) {
        ObjectNode o = JSON.createObjectNode()
                .put("keepId", k.id)
                .put("backend", k.backend)
                .put("state", k.state().name().toLowerCase(java.util.Locale.ROOT))
                .put("pid", k.pid())
                .put("created", k.created.toString())
                .put("memoryMiB", k.limits.maxMemoryBytes() >> 20)
                .put("processMiB", k.limits.processMemory().boundBytes() >> 20)
                .put("outputBytes", k.bufferedBytes());
        k.endNotice().ifPresent(n -> o.put("ended", n));
        return o;
    }

    /** The body through the tap (tests record what the host sees), refused with 413 past {@code max} bytes. */
    private byte[] body(Exchange ex, int max) throws IOException {
        if (ex.contentLength().isPresent() && ex.contentLength().getAsLong() > max)
            throw new ApiError(413, "request body is larger than " + max + " bytes");
        try (InputStream in = agent.config().tap().tap(Tap.Channel.CLIENT_IN, ex.bodyStream())) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new ApiError(413, "request body is larger than " + max + " bytes");
            return b;
        }
    }

    private byte[] tapped(byte[] body) throws IOException {
        var sink = new java.io.ByteArrayOutputStream();
        try (var out = agent.config().tap().tap(Tap.Channel.CLIENT_OUT, sink)) {
            out.write(body);
        }
        return sink.toByteArray();
    }

    private void json(Exchange ex, int status, JsonNode body) throws IOException {
        ex.send(status, "application/json", tapped(JSON.writeValueAsBytes(body)));
    }
}
