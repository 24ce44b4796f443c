package dev.donjon.drawbridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Drawbridge's JSON documents: entries, directories, user records, repository configs. Written compact with
 * keys in Drawbridge's order, so the bytes (and hence the digests) match what the Enarx client produces.
 */
public final class RegistryJson {
    /** Duplicate keys refused: two readers must never see two different directories in the same bytes. */
    static final ObjectMapper MAPPER =
            new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RegistryJson() {}

    public static ObjectNode entryNode(Meta meta) {
        ObjectNode n = MAPPER.createObjectNode();
        ObjectNode d = n.putObject("digest");
        meta.digest().toJson().forEach(d::put);
        n.put("length", meta.length());
        n.put("type", meta.type());
        return n;
    }

    public static byte[] writeEntry(Meta meta) {
        return write(entryNode(meta));
    }

    /** A directory: its entries sorted by name (Drawbridge's BTreeMap order). */
    public static byte[] writeDirectory(SortedMap<String, Meta> entries) {
        ObjectNode n = MAPPER.createObjectNode();
        entries.forEach((name, meta) -> n.set(TreePath.checkName(name), entryNode(meta)));
        return write(n);
    }

    public static Meta readEntry(byte[] json) {
        return readEntry(parse(json, "entry"), "entry");
    }

    static Meta readEntry(JsonNode n, String what) {
        if (!n.isObject()) throw RegistryException.badRequest(what + " is not a JSON object");
        JsonNode digest = n.get("digest");
        if (digest == null || !digest.isObject()) throw RegistryException.badRequest(what + " has no digest object");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : digest.properties()) {
            if (!e.getValue().isTextual())
                throw RegistryException.badRequest(what + " digest " + e.getKey() + " is not a string");
            hashes.put(e.getKey(), e.getValue().asText());
        }
        JsonNode length = n.get("length");
        JsonNode type = n.get("type");
        if (length == null || !length.canConvertToLong())
            throw RegistryException.badRequest(what + " has no integer length");
        if (type == null || !type.isTextual()) throw RegistryException.badRequest(what + " has no type");
        return new Meta(ContentDigest.fromJson(hashes), length.asLong(), type.asText());
    }

    public static SortedMap<String, Meta> readDirectory(byte[] json) {
        JsonNode n = parse(json, "directory");
        if (!n.isObject()) throw RegistryException.badRequest("directory is not a JSON object");
        SortedMap<String, Meta> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            out.put(TreePath.checkName(e.getKey()), readEntry(e.getValue(), "directory entry '" + e.getKey() + "'"));
        }
        return out;
    }

    static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null) throw RegistryException.badRequest(what + " is empty");
            return n;
        } catch (IOException e) {
            throw RegistryException.badRequest(what + " is not valid JSON");
        }
    }

    static byte[] write(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
