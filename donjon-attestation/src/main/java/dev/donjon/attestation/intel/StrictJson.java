package dev.donjon.attestation.intel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Schema-checked reads of Intel's collateral JSON: required members with the exact name and JSON type, unsigned
 * integers without sign, fraction or overflow, hex strings of a fixed size, RFC 3339 instants, no control characters.
 * Also slices the exact bytes of an inner object, because Intel signs the bytes as served, not a re-serialization.
 */
final class StrictJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private StrictJson() {}

    /** A signed PCS document: the exact bytes of the inner object, its parsed tree, and the raw r||s signature. */
    record Signed(byte[] body, JsonNode node, byte[] signature) {}

    static JsonNode parse(byte[] json, String what) throws MalformedEvidenceException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonNode n = MAPPER.readTree(p);
            if (n == null) throw new MalformedEvidenceException(what + " is empty");
            if (p.nextToken() != null)
                throw new MalformedEvidenceException(what + " has trailing content after the JSON value");
            return n;
        } catch (IOException e) {
            throw new MalformedEvidenceException(
                    what + " is not valid JSON: " + OneLine.of(e).split(" at \\[")[0]);
        }
    }

    /**
     * Splits {@code {"<innerKey>": {...}, "signature": "hex"}} into the exact bytes of the inner object and the signature.
     * The first of innerKeys present is used (legacy PCS names, e.g. qeIdentity before enclaveIdentity).
     */
    static Signed signedDocument(byte[] json, String what, String... innerKeys) throws MalformedEvidenceException {
        JsonNode top = parse(json, what);
        if (!top.isObject()) throw new MalformedEvidenceException(what + " is not a JSON object");
        String key = null;
        for (String k : innerKeys)
            if (top.has(k)) {
                key = k;
                break;
            }
        if (key == null) throw new MalformedEvidenceException(what + " lacks the member '" + innerKeys[0] + "'");
        if (!top.get(key).isObject())
            throw new MalformedEvidenceException(what + " member '" + key + "' is not an object");
        byte[] signature = hex(top, "signature", 64, what);
        byte[] body = slice(json, key, what);
        return new Signed(body, top.get(key), signature);
    }

    /** The exact bytes of the value of top-level member key. */
    private static byte[] slice(byte[] json, String key, String what) throws MalformedEvidenceException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT)
                throw new MalformedEvidenceException(what + " is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                long start = p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                if (name.equals(key)) {
                    long end = p.currentTokenLocation().getByteOffset() + 1;
                    if (start < 0 || end > json.length || end <= start)
                        throw new MalformedEvidenceException(what + ": cannot locate '" + key + "'");
                    return Arrays.copyOfRange(json, (int) start, (int) end);
                }
            }
            throw new MalformedEvidenceException(what + " lacks the member '" + key + "'");
        } catch (IOException e) {
            throw new MalformedEvidenceException(what + " is not valid JSON");
        }
    }

    static JsonNode member(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) throw new MalformedEvidenceException(path + " lacks the member '" + name + "'");
        return n;
    }

    static JsonNode object(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        JsonNode n = member(obj, name, path);
        if (!n.isObject()) throw new MalformedEvidenceException(path + "." + name + " is not an object");
        return n;
    }

    static ArrayNode array(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        JsonNode n = member(obj, name, path);
        if (!n.isArray()) throw new MalformedEvidenceException(path + "." + name + " is not an array");
        return (ArrayNode) n;
    }

    static String string(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        JsonNode n = member(obj, name, path);
        if (!n.isTextual()) throw new MalformedEvidenceException(path + "." + name + " is not a string");
        String s = n.textValue();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20)
                throw new MalformedEvidenceException(path + "." + name + " contains a control character");
        }
        return s;
    }

    /** A string member that is not schema text (PEM bundles, hex blobs): line breaks allowed. */
    static String blob(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        JsonNode n = member(obj, name, path);
        if (!n.isTextual()) throw new MalformedEvidenceException(path + "." + name + " is not a string");
        return n.textValue();
    }

    static List<String> strings(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        List<String> out = new ArrayList<>();
        ArrayNode a = array(obj, name, path);
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual())
                throw new MalformedEvidenceException(path + "." + name + "[" + i + "] is not a string");
            out.add(a.get(i).textValue());
        }
        return out;
    }

    /** An unsigned integer no larger than max: no sign, no fraction, no exponent, no overflow. */
    static int uint(JsonNode obj, String name, long max, String path) throws MalformedEvidenceException {
        JsonNode n = member(obj, name, path);
        if (!n.isIntegralNumber()) throw new MalformedEvidenceException(path + "." + name + " is not an integer");
        BigInteger v = n.bigIntegerValue();
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new MalformedEvidenceException(path + "." + name + " = " + v + " is out of range 0.." + max);
        }
        return v.intValue();
    }

    static byte[] hex(JsonNode obj, String name, int bytes, String path) throws MalformedEvidenceException {
        String s = string(obj, name, path);
        if (s.length() != bytes * 2)
            throw new MalformedEvidenceException(path + "." + name + " is not " + bytes + " bytes of hex");
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException(path + "." + name + " is not hex");
        }
    }

    static Instant instant(JsonNode obj, String name, String path) throws MalformedEvidenceException {
        String s = string(obj, name, path);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new MalformedEvidenceException(path + "." + name + " is not an RFC 3339 UTC date: '" + s + "'");
        }
    }
}
