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
 * POST   /v1/keeps                 {"nonce": base64(32 bytes), "backend"?: name, "limits"?: {"memoryMiB", "timeSeconds", "cpuSeconds"}}
 *                                  -> 201 the Keep's offer {keepId, backend, publicKey, evidence}
 * GET    /v1/keeps                 -> [{keepId, backend, state, pid, created, ended?}] (the caller's own Keeps)
 * GET    /v1/keeps/{id}            -> one of those
 * POST   /v1/keeps/{id}/package    application/octet-stream sealed package -> 202 | 409 (why the Keep refused it)
 * POST   /v1/keeps/{id}/input      application/octet-stream: records [u32 length][sealed input chunk], relayed to the Keep
 *                                  in order as they arrive -> 204 | 409 (the Keep takes no more input: it has ended)
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
    /** One sealed input chunk: 64 KiB of data, its frame type byte and the AEAD tag, with room to spare. */
    static final int MAX_INPUT_CHUNK = (64 << 10) + 64;
    /** One input request: what a client reads at once (1 MiB) in chunks, with their record headers. */
    static final int MAX_INPUT_BODY = 2 << 20;
    static final int OUTPUT_CHUNK = 1;
    static final int OUTPUT_NOTICE = 2;

    private final HostAgent agent;

    AgentHandler(HostAgent agent) { this.agent = agent; }

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
        return Optional.ofNullable(switch (failure) {
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
            case dev.donjon.server.Principal.Bearer t -> t.issuer().isPresent()
                    ? new Principal.Authenticated("oidc", t.issuer().get() + "|" + t.subject())
                    : new Principal.Authenticated("token", t.subject());
            case dev.donjon.server.Principal.ClientCertificate c -> new Principal.Authenticated("mtls", c.subject());
            case dev.donjon.server.Principal.Anonymous a -> {
                if (!agent.config().security().insecure())
                    throw ApiError.unauthorized("authenticate: a client certificate from the operator's CA or a bearer token");
                yield Principal.anonymous();
            }
        };
    }

    private void health(Exchange ex) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("service", "donjon host agent")
                .put("backend", agent.config().backend()).put("running", agent.running());
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
        if (nonce.length != KeepBinding.NONCE_BYTES) throw ApiError.badRequest("nonce must be " + KeepBinding.NONCE_BYTES + " bytes");
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
            return new KeepLimits(memory, seconds(l, "timeSeconds"), seconds(l, "cpuSeconds"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("limits: " + e.getMessage());
        }
    }

    private static Optional<Duration> seconds(JsonNode limits, String field) {
        return limits.has(field) ? Optional.of(Duration.ofSeconds(limits.get(field).asLong())) : Optional.empty();
    }

    private void deliver(Exchange ex, KeepProcess keep) throws IOException, KeepProcess.KeepFailedException, KeepProcess.NotReadyException {
        byte[] sealed = body(ex, LinkFrame.MAX_PAYLOAD);
        KeepProcess.PackageReply reply = keep.deliver(sealed, agent.config().startTimeout());
        if (!reply.accepted()) throw ApiError.conflict("the Keep refused the package: " + reply.reason());
        json(ex, 202, JSON.createObjectNode().put("keepId", keep.id).put("state", "running"));
    }

    /**
     * The guest's stdin: sealed chunks the agent cannot read, relayed one by one into the Keep's pipe as they arrive.
     * The answer comes once the Keep's pipe took them all, so a guest that does not read slows its client down.
     */
    private void input(Exchange ex, KeepProcess keep) throws IOException, KeepProcess.KeepFailedException {
        if (ex.contentLength().isPresent() && ex.contentLength().getAsLong() > MAX_INPUT_BODY)
            throw new ApiError(413, "request body is larger than " + MAX_INPUT_BODY + " bytes");
        try (DataInputStream in = new DataInputStream(agent.config().tap().tap(Tap.Channel.CLIENT_IN, ex.bodyStream()))) {
            long total = 0;
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                if (length < 0 || length > MAX_INPUT_CHUNK) throw ApiError.badRequest("input record of " + Integer.toUnsignedString(length) + " bytes (at most " + MAX_INPUT_CHUNK + ")");
                total += 4L + length;
                if (total > MAX_INPUT_BODY) throw new ApiError(413, "request body is larger than " + MAX_INPUT_BODY + " bytes");
                byte[] chunk = new byte[length];
                try {
                    in.readFully(chunk);
                } catch (EOFException cut) {
                    throw ApiError.badRequest("the input ended inside a record");
                }
                if (!keep.relayInput(chunk)) throw ApiError.conflict("the Keep takes no more input: " + keep.endNotice().orElse("it is not running"));
            }
        }
        ex.send(204, "text/plain", new byte[0]);
    }

    private void output(Exchange ex, KeepProcess keep) throws IOException {
        try (DataOutputStream out = new DataOutputStream(agent.config().tap().tap(Tap.Channel.CLIENT_OUT,
                ex.stream(200, "application/octet-stream", -1)))) {
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
        ObjectNode o = JSON.createObjectNode().put("keepId", k.id).put("backend", k.backend)
                .put("state", k.state().name().toLowerCase(java.util.Locale.ROOT)).put("pid", k.pid())
                .put("created", k.created.toString()).put("memoryMiB", k.limits.maxMemoryBytes() >> 20)
                .put("processMiB", k.limits.processMemory().boundBytes() >> 20).put("outputBytes", k.bufferedBytes());
        k.endNotice().ifPresent(n -> o.put("ended", n));
        return o;
    }

    /** The body through the tap (tests record what the host sees), refused with 413 past {@code max} bytes. */
    private byte[] body(Exchange ex, int max) throws IOException {
        if (ex.contentLength().isPresent() && ex.contentLength().getAsLong() > max) throw new ApiError(413, "request body is larger than " + max + " bytes");
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
