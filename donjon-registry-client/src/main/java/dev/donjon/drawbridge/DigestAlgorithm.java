package dev.donjon.drawbridge;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hash algorithms Drawbridge names in Content-Digest headers and entry JSON, in its order. */
public enum DigestAlgorithm {
    SHA_224("sha-224", "SHA-224"),
    SHA_256("sha-256", "SHA-256"),
    SHA_384("sha-384", "SHA-384"),
    SHA_512("sha-512", "SHA-512");

    private final String wireName;
    private final String jcaName;

    DigestAlgorithm(String wireName, String jcaName) {
        this.wireName = wireName;
        this.jcaName = jcaName;
    }

    public String wireName() {
        return wireName;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " missing from this JDK", e);
        }
    }

    public static DigestAlgorithm fromWireName(String name) {
        for (DigestAlgorithm a : values()) if (a.wireName.equals(name)) return a;
        throw RegistryException.badRequest(
                "unsupported digest algorithm '" + name + "' (expected sha-224, sha-256, sha-384 or sha-512)");
    }
}
