package dev.donjon.secrets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * How operators authenticate to the broker's operator listener: a bearer token shared through a file only its owner
 * can read (the broker's and the operator CLI's), separate from anything a Keep holds. The broker keeps only its
 * SHA-256 and compares in constant time.
 */
public final class OperatorToken {

    private static final int MIN_LENGTH = 32;
    private final byte[] digest;

    private OperatorToken(byte[] digest) {
        this.digest = digest;
    }

    public static OperatorToken read(Path file) throws BrokerException {
        return of(text(file));
    }

    /** The token in {@code file}, owner-only, at least 32 characters (the CLI sends it). */
    public static String text(Path file) throws BrokerException {
        byte[] bytes = OwnerOnlyFile.read(file, "operator token", "make one with 'donjon secrets token " + file + "'");
        String token = new String(bytes, StandardCharsets.UTF_8).strip();
        Arrays.fill(bytes, (byte) 0);
        if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= 0x20 || c > 0x7e)) {
            throw new BrokerException(
                    "operator token " + file + " must be at least " + MIN_LENGTH + " printable characters on one line");
        }
        return token;
    }

    static OperatorToken of(String token) {
        return new OperatorToken(sha256(token));
    }

    /** Writes a new random token (43 characters of base64url) to {@code file}, owner-only; never overwrites. */
    public static void generate(Path file) throws BrokerException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        OwnerOnlyFile.create(
                file,
                (Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n")
                        .getBytes(StandardCharsets.US_ASCII),
                "operator token");
    }

    /** True when {@code authorization} is {@code Bearer <the token>}. */
    public boolean matches(Optional<String> authorization) {
        if (authorization.isEmpty() || !authorization.get().startsWith("Bearer ")) return false;
        return MessageDigest.isEqual(
                digest, sha256(authorization.get().substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
