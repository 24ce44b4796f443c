package dev.donjon.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.common.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The default store: one JSON file, {@code DIR/secrets.json}, rewritten atomically (a new owner-only file renamed over
 * the old) at every change, in a 0700 directory. One broker process at a time; for several, use PostgreSQL.
 * <pre>
 * {"format": "donjon-secrets", "version": 1, "keyCheck": {"nonce": b64, "ciphertext": b64},
 *  "secrets": [{"name", "version", "policy": {...}, "nonce": b64, "ciphertext": b64, "created", "updated"}]}
 * </pre>
 */
public final class EmbeddedStore implements SecretStore {

    private static final String FORMAT = "donjon-secrets";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path file;
    private Optional<MasterKey.Sealed> keyCheck = Optional.empty();
    private final TreeMap<String, SecretRecord> records = new TreeMap<>();

    private EmbeddedStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("secrets.json");
    }

    public static EmbeddedStore open(Path dir) throws BrokerException {
        EmbeddedStore s = new EmbeddedStore(dir);
        try {
            OwnerOnlyFiles.createDirectories(dir);
            if (Files.exists(s.file)) s.load(Files.readAllBytes(s.file));
        } catch (IOException e) {
            throw new BrokerException("secret store " + s.file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new BrokerException("secret store " + s.file + " is damaged: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        return s;
    }

    private void load(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null
                || !FORMAT.equals(n.path("format").asText())
                || n.path("version").asInt() != 1) {
            throw new IllegalArgumentException("not a Donjon secret store (format " + FORMAT + ", version 1)");
        }
        if (n.has("keyCheck")) keyCheck = Optional.of(sealed(n.get("keyCheck")));
        for (JsonNode r : n.path("secrets")) {
            SecretRecord rec = new SecretRecord(
                    r.get("name").asText(),
                    r.get("version").asLong(),
                    SecretPolicy.fromJson(r.get("policy").toString()),
                    sealed(r),
                    Instant.parse(r.get("created").asText()),
                    Instant.parse(r.get("updated").asText()));
            records.put(rec.name(), rec);
        }
    }

    private static MasterKey.Sealed sealed(JsonNode n) {
        return new MasterKey.Sealed(
                Base64.getDecoder().decode(n.get("nonce").asText()),
                Base64.getDecoder().decode(n.get("ciphertext").asText()));
    }

    private static void sealed(ObjectNode n, MasterKey.Sealed s) {
        n.put("nonce", Base64.getEncoder().encodeToString(s.nonce()));
        n.put("ciphertext", Base64.getEncoder().encodeToString(s.ciphertext()));
    }

    private void save() throws BrokerException {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("version", 1);
        keyCheck.ifPresent(k -> sealed(root.putObject("keyCheck"), k));
        ArrayNode list = root.putArray("secrets");
        for (SecretRecord r : records.values()) {
            ObjectNode o = list.addObject().put("name", r.name()).put("version", r.version());
            try {
                o.set("policy", JSON.readTree(r.policy().toJson()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            sealed(o, r.value());
            o.put("created", r.created().toString()).put("updated", r.updated().toString());
        }
        try {
            OwnerOnlyFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new BrokerException("cannot write the secret store " + file + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized Optional<MasterKey.Sealed> keyCheck() {
        return keyCheck;
    }

    @Override
    public synchronized boolean initKeyCheck(MasterKey.Sealed check) throws BrokerException {
        if (keyCheck.isPresent()) return false;
        keyCheck = Optional.of(check);
        save();
        return true;
    }

    @Override
    public synchronized Optional<SecretRecord> get(String name) {
        return Optional.ofNullable(records.get(name));
    }

    @Override
    public synchronized List<SecretRecord> list() {
        return new ArrayList<>(records.values());
    }

    @Override
    public synchronized boolean put(SecretRecord record) throws BrokerException {
        SecretRecord old = records.get(record.name());
        long stored = old == null ? 0 : old.version();
        if (stored != record.version() - 1) return false;
        records.put(record.name(), record);
        try {
            save();
        } catch (BrokerException e) {
            if (old == null) records.remove(record.name());
            else records.put(old.name(), old);
            throw e;
        }
        return true;
    }

    @Override
    public synchronized boolean delete(String name) throws BrokerException {
        SecretRecord old = records.remove(name);
        if (old == null) return false;
        try {
            save();
        } catch (BrokerException e) {
            records.put(name, old);
            throw e;
        }
        return true;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void close() {}
}
