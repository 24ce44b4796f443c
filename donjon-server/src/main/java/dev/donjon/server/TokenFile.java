package dev.donjon.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Static bearer tokens. One per line: {@code TOKEN SUBJECT SCOPE...} (at least one scope; what a scope means is the
 * service's business, e.g. Drawbridge's {@code manage:drawbridge_tags} or its shorthands read, write, manage). '#'
 * starts a comment. Tokens are at least 16 characters; only their SHA-256 hashes are kept in memory.
 */
public final class TokenFile {
    private final Map<String, Principal.Bearer> byHash;

    private TokenFile(Map<String, Principal.Bearer> byHash) {
        this.byHash = byHash;
    }

    public static TokenFile load(Path file) throws IOException {
        Map<String, Principal.Bearer> map = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            if (f.length < 3)
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected TOKEN SUBJECT SCOPE...");
            if (f[0].length() < 16)
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": token is shorter than 16 characters");
            var scopes = Set.copyOf(Arrays.asList(f).subList(2, f.length));
            if (map.put(hash(f[0]), new Principal.Bearer(f[1], scopes)) != null)
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": duplicate token");
        }
        return new TokenFile(map);
    }

    public Optional<Principal.Bearer> lookup(String token) {
        return Optional.ofNullable(byHash.get(hash(token)));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
