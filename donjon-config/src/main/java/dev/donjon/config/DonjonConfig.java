package dev.donjon.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Donjon.toml}: what a Donjon workload needs beyond Enarx.toml, which keeps Enarx 0.7's strict rules (an unknown
 * key there is an error, so nothing Donjon-specific can go in it). It lives beside Enarx.toml (a package directory, or
 * {@code donjon run --donjon-config}); Enarx ignores it. Today it names the secrets the Keep fetches from a secret broker
 * before the guest starts, and how the guest gets each one:
 * <pre>
 * [secrets]
 * broker = "https://secrets.example:8600"    # the broker (https); the Keep presents its Steward certificate there
 * dir = "/run/secrets"                       # where file secrets appear in the guest (default /run/secrets)
 *
 * [[secret]]
 * name = "db-password"                       # the secret's name at the broker
 * env = "DB_PASSWORD"                        # as this environment variable of the guest
 *
 * [[secret]]
 * name = "tls-key"
 * file = "tls.key"                           # as this file of the in-memory directory (never on the host's disk)
 * </pre>
 * Strict like Enarx.toml: an unknown key is an error naming it.
 */
public record DonjonConfig(Optional<URI> broker, String dir, List<SecretRequest> secrets) {

    public static final String FILE_NAME = "Donjon.toml";
    public static final String DEFAULT_DIR = "/run/secrets";
    /** Secret names at a broker: what the broker's URL path and its store accept. */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Guest environment variable names a secret may take. */
    public static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final int MAX_SECRETS = 256;

    /**
     * One secret the workload needs.
     *
     * @param name at the broker
     * @param env  the guest environment variable it becomes, if any
     * @param file the file of the in-memory directory it becomes, if any (at least one of env and file)
     */
    public record SecretRequest(String name, Optional<String> env, Optional<String> file) {
        public SecretRequest {
            checkSecretName(name, "secret name");
            env.ifPresent(e -> {
                if (!ENV_NAME.matcher(e).matches())
                    throw new ConfigException(
                            "secret " + name + ": env \"" + e + "\" is not an environment variable name");
            });
            file.ifPresent(f -> {
                if (!FILE.matcher(f).matches() || f.equals(".") || f.equals("..")) {
                    throw new ConfigException("secret " + name + ": file \"" + f
                            + "\" is not a plain file name ([A-Za-z0-9._-], not . or ..)");
                }
            });
            if (env.isEmpty() && file.isEmpty())
                throw new ConfigException("secret " + name + ": give it an env, a file, or both");
        }
    }

    public DonjonConfig {
        Objects.requireNonNull(broker, "broker");
        secrets = List.copyOf(secrets);
        if (!dir.startsWith("/")
                || dir.length() > 255
                || dir.indexOf('\0') >= 0
                || dir.contains("/../")
                || dir.endsWith("/..")) {
            throw new ConfigException("secrets.dir: \"" + dir + "\" must be an absolute guest path");
        }
        if (secrets.size() > MAX_SECRETS) throw new ConfigException("more than " + MAX_SECRETS + " secrets");
        Set<String> envs = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (SecretRequest s : secrets) {
            if (s.env().isPresent() && !envs.add(s.env().get()))
                throw new ConfigException("two secrets set env " + s.env().get());
            if (s.file().isPresent() && !files.add(s.file().get()))
                throw new ConfigException("two secrets are file " + s.file().get());
        }
        if (!secrets.isEmpty() && broker.isEmpty())
            throw new ConfigException("secrets.broker: the secrets need a broker (https://...)");
    }

    /** No secrets. */
    public static DonjonConfig none() {
        return new DonjonConfig(Optional.empty(), DEFAULT_DIR, List.of());
    }

    /** The same with more secrets (command-line additions); names of env variables and files must stay unique. */
    public DonjonConfig with(Optional<URI> newBroker, List<SecretRequest> more) {
        List<SecretRequest> all = new ArrayList<>(secrets);
        all.addAll(more);
        return new DonjonConfig(newBroker.or(() -> broker), dir, all);
    }

    public static void checkSecretName(String name, String what) {
        if (!SECRET_NAME.matcher(name).matches()) {
            throw new ConfigException(
                    what + " \"" + name + "\" must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit");
        }
    }

    public static DonjonConfig read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static DonjonConfig parse(String text) {
        JsonNode root;
        try {
            root = Toml.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException("invalid TOML" + ConfigParser.where(e.getLocation()) + ": "
                    + ConfigParser.firstLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) return none();
        ObjectNode table = (ObjectNode) root;
        ConfigParser.onlyKeys(table, List.of("secrets", "secret"), "");
        Optional<URI> broker = Optional.empty();
        String dir = DEFAULT_DIR;
        if (table.has("secrets")) {
            JsonNode s = table.get("secrets");
            if (!s.isObject()) throw new ConfigException("secrets: expected a table, got " + ConfigParser.type(s));
            ConfigParser.onlyKeys((ObjectNode) s, List.of("broker", "dir"), "secrets");
            if (s.has("broker")) broker = Optional.of(broker(ConfigParser.string(s.get("broker"), "secrets.broker")));
            if (s.has("dir")) dir = ConfigParser.string(s.get("dir"), "secrets.dir");
        }
        List<SecretRequest> secrets = new ArrayList<>();
        if (table.has("secret")) {
            JsonNode list = table.get("secret");
            if (!list.isArray())
                throw new ConfigException(
                        "secret: expected an array of tables ([[secret]]), got " + ConfigParser.type(list));
            for (int i = 0; i < list.size(); i++) {
                String path = "secret[" + i + "]";
                JsonNode e = list.get(i);
                if (!e.isObject()) throw new ConfigException(path + ": expected a table, got " + ConfigParser.type(e));
                ConfigParser.onlyKeys((ObjectNode) e, List.of("name", "env", "file"), path);
                if (!e.has("name")) throw new ConfigException(path + ": missing key name");
                secrets.add(new SecretRequest(
                        ConfigParser.string(e.get("name"), path + ".name"),
                        e.has("env") ? Optional.of(ConfigParser.string(e.get("env"), path + ".env")) : Optional.empty(),
                        e.has("file")
                                ? Optional.of(ConfigParser.string(e.get("file"), path + ".file"))
                                : Optional.empty()));
            }
        }
        return new DonjonConfig(broker, dir, secrets);
    }

    /** The broker's URL: https, with a host. */
    public static URI broker(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("secrets.broker: not a URL: " + e.getReason());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException("secrets.broker: must be an https:// URL, not \"" + url + "\"");
        }
        return uri;
    }

    /** {@code NAME=env:VARIABLE} or {@code NAME=file:FILE}: a secret requested on the command line. */
    public static SecretRequest request(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) throw new ConfigException("--secret " + spec + ": expected NAME=env:VARIABLE or NAME=file:FILE");
        String name = spec.substring(0, eq);
        String how = spec.substring(eq + 1);
        if (how.startsWith("env:")) return new SecretRequest(name, Optional.of(how.substring(4)), Optional.empty());
        if (how.startsWith("file:")) return new SecretRequest(name, Optional.empty(), Optional.of(how.substring(5)));
        throw new ConfigException("--secret " + spec + ": expected NAME=env:VARIABLE or NAME=file:FILE");
    }
}
