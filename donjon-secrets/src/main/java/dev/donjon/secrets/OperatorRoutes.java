package dev.donjon.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.server.ApiError;
import dev.donjon.server.ErrorMapper;
import dev.donjon.server.Exchange;
import dev.donjon.server.Handler;
import dev.donjon.server.Routes;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The operator API, on the operator listener only, every route behind the operator token ({@code Authorization:
 * Bearer ...}); values go in, never out:
 * <pre>
 * GET    /v1/admin/secrets                 200 [{"name","version","policy","created","updated"}]
 * PUT    /v1/admin/secrets/{name}          {"value": base64, "policy": {...}}  200 {"name","version"}
 * POST   /v1/admin/secrets/{name}/rotate   {"value": base64}                   200 {"name","version"}
 * DELETE /v1/admin/secrets/{name}          204, or 404
 * </pre>
 * A request the broker refuses (bad name, policy or value) is a 400 naming the problem ({@link #ERRORS}).
 */
final class OperatorRoutes {

    /** A secret of at most 1 MiB, in base64 inside JSON, with its policy. */
    static final int MAX_BODY = 2 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The operator API's domain refusals: the broker's own, and input that is not what the API takes. */
    static final ErrorMapper ERRORS =
            failure -> failure instanceof BrokerException || failure instanceof IllegalArgumentException
                    ? Optional.of(ApiError.badRequest(failure.getMessage()))
                    : Optional.empty();

    private final SecretBroker broker;
    private final OperatorToken token;

    OperatorRoutes(SecretBroker broker, OperatorToken token) {
        this.broker = broker;
        this.token = token;
    }

    Routes routes() {
        return new Routes()
                .get("/v1/admin/secrets", authorized(this::list))
                .put("/v1/admin/secrets/{name}", authorized(this::put))
                .post("/v1/admin/secrets/{name}/rotate", authorized(this::rotate))
                .delete("/v1/admin/secrets/{name}", authorized(this::delete))
                .notFoundHint("(the operator API is /v1/admin/secrets)");
    }

    private interface Action {
        void handle(Exchange ex) throws BrokerException, IOException;
    }

    /** Every operator route: the token first (a refusal is audited), then the action. */
    private Handler authorized(Action action) {
        return ex -> {
            if (!token.matches(ex.header("Authorization"))) {
                broker.operatorRefused(ex.method() + " " + ex.rawPath(), ex.remote());
                ex.responseHeader("WWW-Authenticate", "Bearer");
                throw ApiError.unauthorized("operator token missing or wrong");
            }
            action.handle(ex); // a BrokerException becomes a 400 through ERRORS
        };
    }

    private void list(Exchange ex) throws BrokerException, IOException {
        ArrayNode a = JSON.createArrayNode();
        for (SecretRecord r : broker.list()) {
            ObjectNode o = a.addObject().put("name", r.name()).put("version", r.version());
            o.set("policy", JSON.readTree(r.policy().toJson()));
            o.put("created", r.created().toString()).put("updated", r.updated().toString());
        }
        json(ex, a);
    }

    private void put(Exchange ex) throws BrokerException, IOException {
        JsonNode body = body(ex);
        if (!body.has("policy")) throw new BrokerException("a put needs a policy");
        byte[] value = value(body);
        try {
            SecretRecord r = broker.put(
                    ex.pathParam("name"),
                    value,
                    SecretPolicy.fromJson(body.get("policy").toString()),
                    ex.remote());
            json(ex, JSON.createObjectNode().put("name", r.name()).put("version", r.version()));
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    private void rotate(Exchange ex) throws BrokerException, IOException {
        byte[] value = value(body(ex));
        try {
            SecretRecord r = broker.rotate(ex.pathParam("name"), value, ex.remote());
            json(ex, JSON.createObjectNode().put("name", r.name()).put("version", r.version()));
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    private void delete(Exchange ex) throws BrokerException {
        String name = ex.pathParam("name");
        if (!broker.delete(name, ex.remote())) throw ApiError.notFound("no secret named '" + name + "'");
        ex.send(204, "text/plain; charset=utf-8", new byte[0]);
    }

    private static JsonNode body(Exchange ex) throws BrokerException {
        byte[] bytes = ex.body(MAX_BODY);
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) throw new BrokerException("the request body must be a JSON object");
            return n;
        } catch (IOException e) {
            throw new BrokerException("the request body is not JSON");
        } finally {
            Arrays.fill(bytes, (byte) 0); // it holds the value, in base64
        }
    }

    private static byte[] value(JsonNode body) throws BrokerException {
        JsonNode v = body.get("value");
        if (v == null || !v.isTextual()) throw new BrokerException("\"value\" (base64) is required");
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new BrokerException("\"value\" is not base64");
        }
    }

    private static void json(Exchange ex, JsonNode n) throws IOException {
        ex.send(200, "application/json", JSON.writeValueAsBytes(n));
    }
}
