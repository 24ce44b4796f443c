package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Signed tags: a JWS in JSON serialization ({@code application/jose+json}, flattened or general) whose payload
 * is the tag's tree entry, as Drawbridge stores them. Only ES256 and ES384 signatures are accepted.
 */
public final class SignedTag {
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384);

    private SignedTag() {}

    /** Signs the tree entry JSON with an EC key (P-256 gives ES256, P-384 gives ES384); returns flattened JWS JSON. */
    public static byte[] sign(byte[] entryJson, ECPrivateKey key) {
        RegistryJson.readEntry(entryJson);
        int bits = key.getParams().getCurve().getField().getFieldSize();
        JWSAlgorithm alg = switch (bits) {
            case 256 -> JWSAlgorithm.ES256;
            case 384 -> JWSAlgorithm.ES384;
            default -> throw new IllegalArgumentException("tag signing needs a P-256 or P-384 key, not a " + bits + "-bit curve");
        };
        try {
            JWSObject jws = new JWSObject(new JWSHeader(alg), new Payload(entryJson));
            jws.sign(new ECDSASigner(key));
            String[] parts = jws.serialize().split("\\.");
            ObjectNode n = RegistryJson.MAPPER.createObjectNode();
            n.put("protected", parts[0]);
            n.put("payload", parts[1]);
            n.put("signature", parts[2]);
            return RegistryJson.write(n);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the tag failed: " + e.getMessage(), e);
        }
    }

    /** The tree entry inside a signed tag, without checking any signature (the registry's view). */
    public static Meta entryOf(byte[] jwsJson) {
        Parsed p = parse(jwsJson);
        return RegistryJson.readEntry(Base64.getUrlDecoder().decode(p.payload));
    }

    /** Verifies that one of the tag's signatures is {@code key}'s, and returns the signed tree entry. */
    public static Meta verify(byte[] jwsJson, ECPublicKey key) {
        Parsed p = parse(jwsJson);
        for (String[] sig : p.signatures) {
            try {
                JWSObject jws = JWSObject.parse(sig[0] + "." + p.payload + "." + sig[1]);
                if (!ACCEPTED.contains(jws.getHeader().getAlgorithm())) continue;
                if (jws.verify(new ECDSAVerifier(key))) return RegistryJson.readEntry(jws.getPayload().toBytes());
            } catch (ParseException | JOSEException e) {
                // a malformed signature is just one that does not verify
            }
        }
        throw new RegistryException(403, "tag signature does not verify with the given key");
    }

    private record Parsed(String payload, List<String[]> signatures) {}

    private static Parsed parse(byte[] jwsJson) {
        JsonNode n = RegistryJson.parse(jwsJson, "signed tag");
        if (!n.isObject() || !n.path("payload").isTextual()) throw RegistryException.badRequest("signed tag is not a JWS with a payload");
        List<String[]> sigs = new ArrayList<>();
        if (n.has("signatures")) {
            for (JsonNode s : n.get("signatures")) sigs.add(signature(s));
        } else {
            sigs.add(signature(n));
        }
        if (sigs.isEmpty()) throw RegistryException.badRequest("signed tag has no signatures");
        String payload = n.get("payload").asText();
        if (!payload.matches("[A-Za-z0-9_-]*")) throw RegistryException.badRequest("signed tag payload is not base64url");
        return new Parsed(payload, sigs);
    }

    private static String[] signature(JsonNode s) {
        if (!s.path("protected").isTextual() || !s.path("signature").isTextual())
            throw RegistryException.badRequest("signed tag signature lacks 'protected' or 'signature'");
        return new String[] {s.get("protected").asText(), s.get("signature").asText()};
    }
}
