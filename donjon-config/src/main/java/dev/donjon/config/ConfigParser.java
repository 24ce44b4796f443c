package dev.donjon.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Enarx.toml text -> {@link EnarxConfig}. Walks the TOML tree by hand rather than binding it, so that every
 * error names the exact key ({@code files[2].prto}) the way serde's {@code deny_unknown_fields} does in Enarx.
 */
final class ConfigParser {

    private static final List<String> TOP_KEYS = List.of("steward", "args", "env", "files");
    private static final List<String> KINDS = List.of("null", "stdin", "stdout", "stderr", "listen", "connect");
    private static final List<String> STDIO_KEYS = List.of("kind", "name");
    private static final List<String> LISTEN_KEYS = List.of("kind", "prot", "name", "addr", "port");
    private static final List<String> CONNECT_KEYS = List.of("kind", "prot", "host", "port", "name");

    private ConfigParser() {}

    static EnarxConfig parse(String text) {
        JsonNode root;
        try {
            root = Toml.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(
                    "invalid TOML" + where(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) root = Toml.MAPPER.createObjectNode();
        ObjectNode table = (ObjectNode) root;
        onlyKeys(table, TOP_KEYS, "");

        Optional<URI> steward = table.has("steward") ? Optional.of(steward(table.get("steward"))) : Optional.empty();
        List<String> args = table.has("args") ? strings(table.get("args"), "args") : List.of();
        Map<String, String> env = table.has("env") ? env(table.get("env")) : Map.of();
        List<WorkloadFile> files = table.has("files") ? files(table.get("files")) : EnarxConfig.defaultFiles();
        return new EnarxConfig(steward, args, env, files);
    }

    private static URI steward(JsonNode node) {
        String url = string(node, "steward");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("steward: not a URL: " + e.getReason());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException("steward: must be an https:// URL, not \"" + url + "\"");
        }
        return uri;
    }

    private static Map<String, String> env(JsonNode node) {
        if (!node.isObject()) throw new ConfigException("env: expected a table of strings, got " + type(node));
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
                throw new ConfigException("env: invalid variable name \"" + key + "\" (empty, or contains '=' or NUL)");
            }
            String value = string(e.getValue(), "env." + key);
            if (value.indexOf('\0') >= 0) throw new ConfigException("env." + key + ": value contains NUL");
            env.put(key, value);
        }
        return env;
    }

    private static List<WorkloadFile> files(JsonNode node) {
        if (!node.isArray())
            throw new ConfigException("files: expected an array of tables ([[files]]), got " + type(node));
        List<WorkloadFile> files = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) files.add(file(node.get(i), "files[" + i + "]"));
        return files;
    }

    private static WorkloadFile file(JsonNode node, String path) {
        if (!node.isObject()) throw new ConfigException(path + ": expected a table, got " + type(node));
        ObjectNode t = (ObjectNode) node;
        if (!t.has("kind"))
            throw new ConfigException(path + ": missing key \"kind\" (one of " + String.join(", ", KINDS) + ")");
        String kind = string(t.get("kind"), path + ".kind");
        return switch (kind) {
            case "null" -> {
                onlyKeys(t, STDIO_KEYS, path);
                yield new WorkloadFile.Null(optionalName(t, path));
            }
            case "stdin" -> {
                onlyKeys(t, STDIO_KEYS, path);
                yield new WorkloadFile.Stdin(optionalName(t, path));
            }
            case "stdout" -> {
                onlyKeys(t, STDIO_KEYS, path);
                yield new WorkloadFile.Stdout(optionalName(t, path));
            }
            case "stderr" -> {
                onlyKeys(t, STDIO_KEYS, path);
                yield new WorkloadFile.Stderr(optionalName(t, path));
            }
            case "listen" -> {
                onlyKeys(t, LISTEN_KEYS, path);
                Protocol prot = prot(t, path, kind);
                String name = name(required(t, "name", path, kind), path + ".name");
                String addr =
                        t.has("addr") ? nonEmpty(t.get("addr"), path + ".addr") : WorkloadFile.Listen.DEFAULT_ADDR;
                int port = t.has("port") ? port(t.get("port"), path + ".port") : prot.defaultPort();
                yield new WorkloadFile.Listen(name, addr, port, prot);
            }
            case "connect" -> {
                onlyKeys(t, CONNECT_KEYS, path);
                Protocol prot = prot(t, path, kind);
                String host = nonEmpty(required(t, "host", path, kind), path + ".host");
                int port = t.has("port") ? port(t.get("port"), path + ".port") : prot.defaultPort();
                String name = optionalName(t, path).orElse(host);
                if (name.indexOf(':') >= 0) {
                    throw new ConfigException(
                            path + ": the name defaults to the host, which contains ':'; set a name without ':'");
                }
                yield new WorkloadFile.Connect(name, host, port, prot);
            }
            default ->
                throw new ConfigException(path + ".kind: unknown kind \"" + kind + "\" (expected one of "
                        + String.join(", ", KINDS) + ")");
        };
    }

    private static Protocol prot(ObjectNode t, String path, String kind) {
        String prot = string(required(t, "prot", path, kind), path + ".prot");
        return switch (prot) {
            case "tcp" -> Protocol.TCP;
            case "tls" -> Protocol.TLS;
            default -> throw new ConfigException(path + ".prot: expected \"tcp\" or \"tls\", not \"" + prot + "\"");
        };
    }

    private static JsonNode required(ObjectNode t, String key, String path, String kind) {
        JsonNode v = t.get(key);
        if (v == null)
            throw new ConfigException(path + ": missing key \"" + key + "\" (required for kind = \"" + kind + "\")");
        return v;
    }

    private static Optional<String> optionalName(ObjectNode t, String path) {
        return t.has("name") ? Optional.of(name(t.get("name"), path + ".name")) : Optional.empty();
    }

    private static String name(JsonNode node, String path) {
        String name = nonEmpty(node, path);
        if (name.indexOf(':') >= 0) {
            throw new ConfigException(path + ": \"" + name + "\" contains ':' (names are joined with ':' in FD_NAMES)");
        }
        return name;
    }

    private static int port(JsonNode node, String path) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0 || node.intValue() > 65_535) {
            throw new ConfigException(path + ": expected a port number 0-65535, got " + describe(node));
        }
        return node.intValue();
    }

    private static List<String> strings(JsonNode node, String path) {
        if (!node.isArray()) throw new ConfigException(path + ": expected an array of strings, got " + type(node));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(string(node.get(i), path + "[" + i + "]"));
        return out;
    }

    private static String nonEmpty(JsonNode node, String path) {
        String s = string(node, path);
        if (s.isEmpty()) throw new ConfigException(path + ": must not be empty");
        return s;
    }

    static String string(JsonNode node, String path) {
        if (!node.isTextual()) throw new ConfigException(path + ": expected a string, got " + describe(node));
        return node.textValue();
    }

    /** Rejects the first key not in {@code allowed}, as Enarx's serde(deny_unknown_fields) does. */
    static void onlyKeys(ObjectNode t, List<String> allowed, String path) {
        Set<String> known = Set.copyOf(allowed);
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                String where = path.isEmpty() ? key : path + "." + key;
                throw new ConfigException("unknown key " + where + " (expected " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static String describe(JsonNode node) {
        return node.isValueNode() ? type(node) + " " + node : type(node);
    }

    static String type(JsonNode node) {
        if (node.isTextual()) return "a string";
        if (node.isBoolean()) return "a boolean";
        if (node.isIntegralNumber()) return "an integer";
        if (node.isNumber()) return "a float";
        if (node.isArray()) return "an array";
        if (node.isObject()) return "a table";
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    static String where(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 1) return "";
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    static String firstLine(String message) {
        if (message == null) return "syntax error";
        int nl = message.indexOf('\n');
        String line = (nl < 0 ? message : message.substring(0, nl)).strip();
        for (Map.Entry<String, String> t : TOKENS.entrySet()) line = line.replace(t.getKey(), t.getValue());
        return line;
    }

    /** The TOML parser's token names, as a user writes them (longest names first: some contain others). */
    private static final Map<String, String> TOKENS = tokens(
            "ARRAY_WS_COMMENT_NEWLINE",
            "a newline",
            "ARRAY_TABLE_OPEN",
            "'[['",
            "ARRAY_TABLE_CLOSE",
            "']]'",
            "INLINE_TABLE_OPEN",
            "'{'",
            "INLINE_TABLE_CLOSE",
            "'}'",
            "STD_TABLE_OPEN",
            "'['",
            "STD_TABLE_CLOSE",
            "']'",
            "ARRAY_OPEN",
            "'['",
            "ARRAY_CLOSE",
            "']'",
            "KEY_VAL_SEP",
            "'='",
            "DOT_SEP",
            "'.'",
            "COMMA",
            "','",
            "UNQUOTED_KEY",
            "a key",
            "OFFSET_DATE_TIME",
            "a date-time",
            "LOCAL_DATE_TIME",
            "a date-time",
            "LOCAL_DATE",
            "a date",
            "LOCAL_TIME",
            "a time");

    private static Map<String, String> tokens(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return m;
    }
}
