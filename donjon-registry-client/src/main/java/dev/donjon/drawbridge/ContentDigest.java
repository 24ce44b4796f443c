package dev.donjon.drawbridge;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.StringJoiner;

/**
 * A set of hashes of the same bytes, as Drawbridge writes them: the {@code Content-Digest} header
 * {@code sha-256=:BASE64:,sha-512=:BASE64:} (RFC 9530 byte sequences) and the entry JSON object
 * {@code {"sha-256":"BASE64",...}}. Standard base64 with padding, algorithms in Drawbridge's order.
 */
public record ContentDigest(Map<DigestAlgorithm, byte[]> hashes) {

    public ContentDigest {
        if (hashes.isEmpty()) throw RegistryException.badRequest("a content digest needs at least one hash");
        EnumMap<DigestAlgorithm, byte[]> copy = new EnumMap<>(DigestAlgorithm.class);
        hashes.forEach((a, h) -> {
            if (h.length != a.newDigest().getDigestLength())
                throw RegistryException.badRequest(a.wireName() + " hash has " + h.length + " bytes, expected "
                        + a.newDigest().getDigestLength());
            copy.put(a, h.clone());
        });
        hashes = Collections.unmodifiableMap(copy);
    }

    /** All four hashes of {@code bytes}. */
    public static ContentDigest of(byte[] bytes) {
        Hasher h = new Hasher();
        h.update(bytes, 0, bytes.length);
        return h.digest();
    }

    /** Parses a Content-Digest header value. */
    public static ContentDigest parseHeader(String value) {
        if (value == null || value.isBlank()) throw RegistryException.badRequest("Content-Digest header is empty");
        EnumMap<DigestAlgorithm, byte[]> map = new EnumMap<>(DigestAlgorithm.class);
        for (String member : value.split(",")) {
            String m = member.strip();
            int eq = m.indexOf('=');
            if (eq < 0) throw RegistryException.badRequest("Content-Digest member '" + m + "' has no '='");
            DigestAlgorithm alg =
                    DigestAlgorithm.fromWireName(m.substring(0, eq).strip());
            String val = m.substring(eq + 1).strip();
            if (val.length() < 2 || val.charAt(0) != ':' || val.charAt(val.length() - 1) != ':')
                throw RegistryException.badRequest(
                        "Content-Digest value for " + alg.wireName() + " is not a :base64: byte sequence");
            map.put(alg, decode(val.substring(1, val.length() - 1), alg));
        }
        return new ContentDigest(map);
    }

    /** Reads the entry JSON form: algorithm name to base64 hash. */
    public static ContentDigest fromJson(Map<String, String> json) {
        EnumMap<DigestAlgorithm, byte[]> map = new EnumMap<>(DigestAlgorithm.class);
        json.forEach((k, v) -> {
            DigestAlgorithm alg = DigestAlgorithm.fromWireName(k);
            map.put(alg, decode(v, alg));
        });
        return new ContentDigest(map);
    }

    private static byte[] decode(String b64, DigestAlgorithm alg) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw RegistryException.badRequest(alg.wireName() + " hash is not valid base64");
        }
    }

    public String toHeader() {
        StringJoiner j = new StringJoiner(",");
        hashes.forEach((a, h) -> j.add(a.wireName() + "=:" + Base64.getEncoder().encodeToString(h) + ":"));
        return j.toString();
    }

    public SequencedMap<String, String> toJson() {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        hashes.forEach((a, h) -> m.put(a.wireName(), Base64.getEncoder().encodeToString(h)));
        return m;
    }

    /**
     * True when every hash this digest claims is present in {@code actual} and equal (constant time).
     * {@code actual} is normally the full set computed from the bytes.
     */
    public boolean isSatisfiedBy(ContentDigest actual) {
        for (var e : hashes.entrySet()) {
            byte[] other = actual.hashes.get(e.getKey());
            if (other == null || !MessageDigest.isEqual(e.getValue(), other)) return false;
        }
        return true;
    }

    /** The lowercase hex sha-256, which names content-addressed blobs. */
    public String sha256Hex() {
        byte[] h = hashes.get(DigestAlgorithm.SHA_256);
        if (h == null) throw new IllegalStateException("no sha-256 in this digest");
        return java.util.HexFormat.of().formatHex(h);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentDigest d && d.hashes.size() == hashes.size() && isSatisfiedBy(d);
    }

    @Override
    public int hashCode() {
        return hashes.keySet().hashCode();
    }

    @Override
    public String toString() {
        return toHeader();
    }

    /** Computes all four hashes in one pass over a stream of bytes. */
    public static final class Hasher {
        private final EnumMap<DigestAlgorithm, MessageDigest> digests = new EnumMap<>(DigestAlgorithm.class);
        private long length;

        public Hasher() {
            for (DigestAlgorithm a : DigestAlgorithm.values()) digests.put(a, a.newDigest());
        }

        public void update(byte[] b, int off, int len) {
            for (MessageDigest d : digests.values()) d.update(b, off, len);
            length += len;
        }

        public long length() {
            return length;
        }

        public ContentDigest digest() {
            EnumMap<DigestAlgorithm, byte[]> out = new EnumMap<>(DigestAlgorithm.class);
            digests.forEach((a, d) -> out.put(a, d.digest()));
            return new ContentDigest(out);
        }
    }
}
