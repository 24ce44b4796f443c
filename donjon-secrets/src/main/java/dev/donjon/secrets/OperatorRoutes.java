package dev.donjon.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The operator API, on the operator listener only, every route behind the operator token ({@code Authorization:
 * Bearer ...}); values go in, never out:
 * <pre>
 * GET    /v1/admin/secrets                 200 [{"name","version","policy","created","updated"}]
 * PUT    /v1/admin/secrets/{name}          {"value": base64, "policy": {...}}  200 {"name","version"}
 * POST   /v1/admin/secrets/{name}/rotate   {"value": base64}                   200 {"name","version"}
 * DELETE /v1/admin/secrets/{name}          204, or 404
 * </pre>
 */
final class OperatorRoutes implements HttpService {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretBroker broker;
    private final OperatorToken token;

    OperatorRoutes(SecretBroker broker, OperatorToken token) {
        this.broker = broker;
        this.token = token;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", authorized(this::list))
                .put("/{name}", authorized(this::put))
                .post("/{name}/rotate", authorized(this::rotate))
                .delete("/{name}", authorized(this::delete));
    }

    private interface Action {
        void handle(ServerRequest req, ServerResponse res) throws BrokerException, IOException;
    }

    /** Every operator route: the token first; a broker refusal is a 400 naming the problem. */
    private Handler authorized(Action action) {
        return (req, res) -> {
            if (!token.matches(req.headers().first(HeaderNames.AUTHORIZATION))) {
                broker.operatorRefused(req.prologue().method().text() + " " + req.path().absolute().path(), BrokerServer.remote(req));
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                BrokerServer.text(res, 401, "operator token missing or wrong");
                return;
            }
            try {
                action.handle(req, res);
            } catch (BrokerException | IllegalArgumentException e) {
                BrokerServer.text(res, 400, e.getMessage());
            }
        };
    }

    private void list(ServerRequest req, ServerResponse res) throws BrokerException, IOException {
        ArrayNode a = JSON.createArrayNode();
        for (SecretRecord r : broker.list()) {
            ObjectNode o = a.addObject().put("name", r.name()).put("version", r.version());
            o.set("policy", JSON.readTree(r.policy().toJson()));
            o.put("created", r.created().toString()).put("updated", r.updated().toString());
        }
        json(res, 200, a);
    }

    private void put(ServerRequest req, ServerResponse res) throws BrokerException, IOException {
        JsonNode body = body(req);
        if (!body.has("policy")) throw new BrokerException("a put needs a policy");
        byte[] value = value(body);
        try {
            SecretRecord r = broker.put(req.path().pathParameters().get("name"), value, SecretPolicy.fromJson(body.get("policy").toString()),
                    BrokerServer.remote(req));
            json(res, 200, JSON.createObjectNode().put("name", r.name()).put("version", r.version()));
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    private void rotate(ServerRequest req, ServerResponse res) throws BrokerException, IOException {
        byte[] value = value(body(req));
        try {
            SecretRecord r = broker.rotate(req.path().pathParameters().get("name"), value, BrokerServer.remote(req));
            json(res, 200, JSON.createObjectNode().put("name", r.name()).put("version", r.version()));
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    private void delete(ServerRequest req, ServerResponse res) throws BrokerException {
        String name = req.path().pathParameters().get("name");
        if (broker.delete(name, BrokerServer.remote(req))) {
            res.status(204).send();
        } else {
            BrokerServer.text(res, 404, "no secret named '" + name + "'");
        }
    }

    private static JsonNode body(ServerRequest req) throws BrokerException {
        try {
            JsonNode n = JSON.readTree(req.content().as(byte[].class));
            if (n == null || !n.isObject()) throw new BrokerException("the request body must be a JSON object");
            return n;
        } catch (IOException e) {
            throw new BrokerException("the request body is not JSON");
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

    private static void json(ServerResponse res, int status, JsonNode n) throws IOException {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(JSON.writeValueAsBytes(n));
    }

}
