package dev.donjon.collateral;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.intel.PcsCollateral.PckCa;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one JSON form of entries, both directions, used by the cache directory (one file per entry) and by offline
 * bundles (a list of them). An entry:
 * <pre>
 * {"key": {"kind": "intel-tcb", "tee": "sgx", "fmspc": "00a067110000"},   -- or intel-qe {tee}, intel-pckcrl {ca},
 *                                                                         -- intel-rootcrl, amd-cert_chain {product},
 *                                                                         -- amd-crl {product}, amd-vcek {product, path}
 *  "body": "base64 of the exact bytes served", "issuerChain": "PEM (Intel)", "source": "URL", "fetched": "RFC 3339"}
 * </pre>
 * A bundle: {@code {"format": "donjon-collateral-bundle", "version": 1, "entries": [entry...]}}. Unknown members are
 * refused, so a file from a newer Donjon is not half read.
 */
final class EntryJson {

    static final String BUNDLE_FORMAT = "donjon-collateral-bundle";
    static final int BUNDLE_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ENTRY_MEMBERS = Set.of("key", "body", "issuerChain", "source", "fetched");

    private EntryJson() {}

    static ObjectNode entry(CollateralEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.set("key", key(e.key()));
        n.put("body", Base64.getEncoder().encodeToString(e.body()));
        e.issuerChain().ifPresent(c -> n.put("issuerChain", c));
        n.put("source", e.source());
        n.put("fetched", e.fetched().toString());
        return n;
    }

    static byte[] entryBytes(CollateralEntry e) {
        return bytes(entry(e));
    }

    static CollateralEntry entry(JsonNode n) {
        if (!n.isObject()) throw new IllegalArgumentException("an entry is not a JSON object");
        only(n, ENTRY_MEMBERS, "entry");
        CollateralKey key = key(required(n, "key"));
        byte[] body;
        try {
            body = Base64.getDecoder().decode(text(n, "body"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key.id() + ": body is not base64");
        }
        Optional<String> chain = n.has("issuerChain") ? Optional.of(text(n, "issuerChain")) : Optional.empty();
        Instant fetched;
        try {
            fetched = Instant.parse(text(n, "fetched"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key.id() + ": fetched is not an RFC 3339 instant");
        }
        return new CollateralEntry(key, body, chain, text(n, "source"), fetched);
    }

    static CollateralEntry entry(byte[] json) {
        return entry(tree(json));
    }

    static byte[] bundle(List<CollateralEntry> entries) {
        ObjectNode n = JSON.createObjectNode().put("format", BUNDLE_FORMAT).put("version", BUNDLE_VERSION);
        ArrayNode list = n.putArray("entries");
        entries.forEach(e -> list.add(entry(e)));
        return bytes(n);
    }

    static List<CollateralEntry> bundle(byte[] json) {
        JsonNode n = tree(json);
        if (!n.isObject() || !BUNDLE_FORMAT.equals(n.path("format").asText())) {
            throw new IllegalArgumentException(
                    "not a Donjon collateral bundle (no \"format\": \"" + BUNDLE_FORMAT + "\")");
        }
        only(n, Set.of("format", "version", "entries"), "bundle");
        if (n.path("version").asInt(-1) != BUNDLE_VERSION)
            throw new IllegalArgumentException("collateral bundle version " + n.path("version") + " is not supported");
        JsonNode list = required(n, "entries");
        if (!list.isArray()) throw new IllegalArgumentException("bundle entries is not a list");
        List<CollateralEntry> out = new ArrayList<>();
        for (JsonNode e : list) out.add(entry(e));
        return out;
    }

    static ObjectNode key(CollateralKey k) {
        ObjectNode n = JSON.createObjectNode();
        switch (k) {
            case CollateralKey.IntelTcbInfo t ->
                n.put("kind", "intel-tcb").put("tee", t.tee().wireName()).put("fmspc", t.fmspc());
            case CollateralKey.IntelQeIdentity q ->
                n.put("kind", "intel-qe").put("tee", q.tee().wireName());
            case CollateralKey.IntelPckCrl c -> n.put("kind", "intel-pckcrl").put("ca", c.ca().parameter());
            case CollateralKey.IntelRootCrl r -> n.put("kind", "intel-rootcrl");
            case CollateralKey.AmdCertChain c ->
                n.put("kind", "amd-cert_chain").put("product", c.product().kdsName());
            case CollateralKey.AmdCrl c ->
                n.put("kind", "amd-crl").put("product", c.product().kdsName());
            case CollateralKey.AmdVcek v ->
                n.put("kind", "amd-vcek").put("product", v.product().kdsName()).put("path", v.path());
        }
        return n;
    }

    static CollateralKey key(JsonNode n) {
        if (!n.isObject()) throw new IllegalArgumentException("an entry key is not a JSON object");
        String kind = text(n, "kind");
        return switch (kind) {
            case "intel-tcb" -> {
                only(n, Set.of("kind", "tee", "fmspc"), "key");
                yield new CollateralKey.IntelTcbInfo(Tee.fromWireName(text(n, "tee")), text(n, "fmspc"));
            }
            case "intel-qe" -> {
                only(n, Set.of("kind", "tee"), "key");
                yield new CollateralKey.IntelQeIdentity(Tee.fromWireName(text(n, "tee")));
            }
            case "intel-pckcrl" -> {
                only(n, Set.of("kind", "ca"), "key");
                yield new CollateralKey.IntelPckCrl(PckCa.fromParameter(text(n, "ca")));
            }
            case "intel-rootcrl" -> {
                only(n, Set.of("kind"), "key");
                yield new CollateralKey.IntelRootCrl();
            }
            case "amd-cert_chain" -> {
                only(n, Set.of("kind", "product"), "key");
                yield new CollateralKey.AmdCertChain(product(n));
            }
            case "amd-crl" -> {
                only(n, Set.of("kind", "product"), "key");
                yield new CollateralKey.AmdCrl(product(n));
            }
            case "amd-vcek" -> {
                only(n, Set.of("kind", "product", "path"), "key");
                yield new CollateralKey.AmdVcek(product(n), text(n, "path"));
            }
            default -> throw new IllegalArgumentException("unknown collateral kind '" + kind + "'");
        };
    }

    private static ProductLine product(JsonNode n) {
        String p = text(n, "product");
        return ProductLine.fromName(p)
                .filter(x -> x.kdsName().equalsIgnoreCase(p))
                .orElseThrow(() -> new IllegalArgumentException("unknown AMD product '" + p + "'"));
    }

    private static JsonNode tree(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null) throw new IllegalArgumentException("empty JSON");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode required(JsonNode n, String member) {
        JsonNode v = n.get(member);
        if (v == null) throw new IllegalArgumentException("missing \"" + member + "\"");
        return v;
    }

    private static String text(JsonNode n, String member) {
        JsonNode v = required(n, member);
        if (!v.isTextual()) throw new IllegalArgumentException("\"" + member + "\" is not a string");
        return v.asText();
    }

    private static void only(JsonNode n, Set<String> allowed, String what) {
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name))
                throw new IllegalArgumentException(what + " has an unknown member \"" + name + "\"");
        }
    }
}
