package dev.donjon.attestation.cases;

import dev.donjon.attestation.MalformedEvidenceException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** How evidence bytes are written in a file (the manifest's "encoding"). */
public enum Encoding {
    RAW("raw"),
    HEX("hex"),
    BASE64("base64"),
    BASE64URL("base64url");

    private final String wireName;

    Encoding(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Encoding fromWireName(String name) {
        for (Encoding e : values()) if (e.wireName.equals(name)) return e;
        throw new IllegalArgumentException(
                "unknown evidence encoding '" + name + "' (expected raw, hex, base64 or base64url)");
    }

    /** Decodes file contents; whitespace is ignored in text encodings, padding is optional in base64. */
    public byte[] decode(byte[] stored) throws MalformedEvidenceException {
        if (this == RAW) return stored;
        String text = new String(stored, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
        try {
            return switch (this) {
                case HEX ->
                    HexFormat.of().parseHex(text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text);
                case BASE64 -> Base64.getDecoder().decode(stripPadding(text) + padding(stripPadding(text)));
                case BASE64URL -> Base64.getUrlDecoder().decode(stripPadding(text) + padding(stripPadding(text)));
                case RAW -> stored;
            };
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException("evidence is not valid " + wireName + ": " + e.getMessage());
        }
    }

    private static String stripPadding(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') end--;
        return s.substring(0, end);
    }

    private static String padding(String unpadded) {
        return "=".repeat((4 - unpadded.length() % 4) % 4);
    }
}
