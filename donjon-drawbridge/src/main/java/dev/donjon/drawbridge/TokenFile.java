package dev.donjon.drawbridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer tokens for local use. One per line: {@code TOKEN SUBJECT SCOPE...}; scopes are Drawbridge's
 * ({@code manage:drawbridge_tags}) or the shorthands read, write, manage for all contexts. '#' starts a comment.
 * Only hashes of the tokens are kept in memory.
 */
public final class TokenFile {
    private final Map<String, Principal.TokenHolder> byHash;

    private TokenFile(Map<String, Principal.TokenHolder> byHash) { this.byHash = byHash; }

    public static TokenFile load(Path file) throws IOException {
        Map<String, Principal.TokenHolder> map = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            if (f.length < 3) throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected TOKEN SUBJECT SCOPE...");
            if (f[0].length() < 16) throw new IllegalArgumentException(file + " line " + (i + 1) + ": token is shorter than 16 characters");
            var scopes = Scope.expand(Arrays.asList(f).subList(2, f.length));
            if (map.put(hash(f[0]), new Principal.TokenHolder(f[1], scopes)) != null)
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": duplicate token");
        }
        return new TokenFile(map);
    }

    public Optional<Principal.TokenHolder> lookup(String token) {
        return Optional.ofNullable(byHash.get(hash(token)));
    }

    private static String hash(String token) {
        MessageDigest md = DigestAlgorithm.SHA_256.newDigest();
        return java.util.HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
