package dev.donjon.host.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * What a new Keep tells the client through the host: its id, backend, ephemeral public key and the evidence that binds
 * that key to the client's nonce (none for the {@code nil} backend). JSON on the wire; byte fields are base64.
 */
public record KeepOffer(String keepId, String backend, byte[] publicKey, Optional<KeepEvidence> evidence) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public KeepOffer {
        Objects.requireNonNull(keepId, "keepId");
        Objects.requireNonNull(backend, "backend");
        publicKey = publicKey.clone();
        Objects.requireNonNull(evidence, "evidence");
    }

    public ObjectNode toJson() {
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode o = JSON.createObjectNode();
        o.put("keepId", keepId).put("backend", backend).put("publicKey", b64.encodeToString(publicKey));
        evidence.ifPresentOrElse(
                e -> o.putObject("evidence")
                        .put("tee", e.tee())
                        .put("container", e.container())
                        .put("bytes", b64.encodeToString(e.evidence()))
                        .put("endorsements", b64.encodeToString(e.endorsements())),
                () -> o.putNull("evidence"));
        return o;
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeepOffer parse(byte[] json) throws ProtocolException {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (IOException e) {
            throw new ProtocolException("Keep offer is not JSON");
        }
        if (o == null || !o.isObject()) throw new ProtocolException("Keep offer is not a JSON object");
        String id = text(o, "keepId");
        String backend = text(o, "backend");
        byte[] pk = base64(o, "publicKey");
        JsonNode ev = o.get("evidence");
        Optional<KeepEvidence> evidence = Optional.empty();
        if (ev != null && !ev.isNull()) {
            if (!ev.isObject()) throw new ProtocolException("Keep offer: evidence is not an object");
            evidence = Optional.of(new KeepEvidence(
                    text(ev, "tee"),
                    text(ev, "container"),
                    base64(ev, "bytes"),
                    ev.has("endorsements") ? base64(ev, "endorsements") : new byte[0]));
        }
        return new KeepOffer(id, backend, pk, evidence);
    }

    private static String text(JsonNode o, String field) throws ProtocolException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty())
            throw new ProtocolException("Keep offer has no " + field);
        return v.asText();
    }

    private static byte[] base64(JsonNode o, String field) throws ProtocolException {
        try {
            return Base64.getDecoder().decode(text(o, field));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("Keep offer: " + field + " is not base64");
        }
    }
}
