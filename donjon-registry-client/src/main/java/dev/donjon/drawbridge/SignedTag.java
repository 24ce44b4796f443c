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
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Signed tags: a JWS in JSON serialization ({@code application/jose+json}, flattened or general) whose payload
 * is the tag's tree entry, as Drawbridge stores them. Only ES256 and ES384 signatures are accepted.
 *
 * <p>Donjon puts the signer's RFC 7638 JWK thumbprint in the protected header ({@code kid}) so that a verifier can
 * tell a tag signed by another publisher from a signature that is broken; the signature covers the {@code kid}, and
 * tags without one (other signers) still verify, only with a less precise refusal.
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
            default ->
                throw new IllegalArgumentException(
                        "tag signing needs a P-256 or P-384 key, not a " + bits + "-bit curve");
        };
        try {
            ECPublicKey publicKey = publicKeyOf(key);
            JWSObject jws = new JWSObject(
                    new JWSHeader.Builder(alg).keyID(keyId(publicKey)).build(), new Payload(entryJson));
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
        return verifyAny(jwsJson, List.of(key), "tag");
    }

    /**
     * Verifies that one of the tag's signatures is by one of {@code keys}, and returns the signed tree entry. A refusal
     * (403) says why: the tag names another key, a signature by an accepted key does not verify (altered or broken),
     * or, for a tag naming no key, no accepted key verifies it.
     *
     * @param what how refusals name the tag, e.g. "tag 1.0.0"
     */
    public static Meta verifyAny(byte[] jwsJson, List<ECPublicKey> keys, String what) {
        if (keys.isEmpty()) throw new IllegalArgumentException("no key to verify the tag with");
        Parsed p = parse(jwsJson);
        List<String> ids = keys.stream().map(SignedTag::keyId).toList();
        List<String> otherKeys = new ArrayList<>();
        String broken = null;
        boolean unnamedFailed = false;
        for (String[] sig : p.signatures) {
            JWSObject jws;
            try {
                jws = JWSObject.parse(sig[0] + "." + p.payload + "." + sig[1]);
            } catch (ParseException e) {
                broken = "a signature is malformed";
                continue;
            }
            JWSAlgorithm alg = jws.getHeader().getAlgorithm();
            String kid = jws.getHeader().getKeyID();
            if (!ACCEPTED.contains(alg)) {
                broken = "a signature uses " + alg + ", not ES256 or ES384";
            } else if (kid == null) {
                for (ECPublicKey key : keys)
                    if (verifies(jws, key))
                        return RegistryJson.readEntry(jws.getPayload().toBytes());
                unnamedFailed = true;
            } else if (!ids.contains(kid)) {
                otherKeys.add(kid);
            } else if (verifies(jws, keys.get(ids.indexOf(kid)))) {
                return RegistryJson.readEntry(jws.getPayload().toBytes());
            } else {
                broken = "the signature by required key " + kid
                        + " does not verify (the tag was altered, or the signature is broken)";
            }
        }
        String required = keys.size() == 1
                ? "the required key " + ids.getFirst()
                : "any of the " + keys.size() + " required keys";
        if (broken != null) throw new RegistryException(403, what + " has a bad signature: " + broken);
        if (!otherKeys.isEmpty())
            throw new RegistryException(
                    403, what + " is signed by another key (" + String.join(", ", otherKeys) + "), not by " + required);
        if (unnamedFailed)
            throw new RegistryException(
                    403,
                    what + " signature does not verify with " + required
                            + " (its signature names no key: signed by another key, or altered)");
        throw new RegistryException(403, what + " has a bad signature: none to check");
    }

    private static boolean verifies(JWSObject jws, ECPublicKey key) {
        try {
            return jws.verify(new ECDSAVerifier(key));
        } catch (JOSEException e) {
            return false; // e.g. an ES384 signature checked with a P-256 key: just not this key's
        }
    }

    /** The RFC 7638 JWK SHA-256 thumbprint (base64url) that names a publisher key in a tag's {@code kid}. */
    public static String keyId(ECPublicKey key) {
        Curve curve = Curve.forECParameterSpec(key.getParams());
        if (curve == null) throw new IllegalArgumentException("tag keys must be on P-256 or P-384");
        try {
            return new ECKey.Builder(curve, key).build().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /**
     * A publisher key from its DER SubjectPublicKeyInfo, refused unless it is an EC key on P-256 or P-384 (what ES256
     * and ES384 use); the message names the problem.
     */
    public static ECPublicKey publisherKey(byte[] spkiDer) {
        java.security.PublicKey k;
        try {
            k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spkiDer));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an EC public key");
        }
        if (!(k instanceof ECPublicKey ec)) throw new IllegalArgumentException("not an EC public key");
        Curve curve = Curve.forECParameterSpec(ec.getParams());
        if (!Curve.P_256.equals(curve) && !Curve.P_384.equals(curve))
            throw new IllegalArgumentException("an EC key on a curve other than P-256 or P-384");
        return ec;
    }

    /** The public half of a P-256/P-384 private key (Q = d·G), so that the tag's kid can name it. */
    private static ECPublicKey publicKeyOf(ECPrivateKey key) {
        var curve = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec(
                key.getParams().getCurve().getField().getFieldSize() == 256 ? "P-256" : "P-384");
        var q = curve.getG().multiply(key.getS()).normalize();
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.ECPublicKeySpec(
                            new java.security.spec.ECPoint(
                                    q.getAffineXCoord().toBigInteger(),
                                    q.getAffineYCoord().toBigInteger()),
                            key.getParams()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public key of the tag signing key", e);
        }
    }

    private record Parsed(String payload, List<String[]> signatures) {}

    private static Parsed parse(byte[] jwsJson) {
        JsonNode n = RegistryJson.parse(jwsJson, "signed tag");
        if (!n.isObject() || !n.path("payload").isTextual())
            throw RegistryException.badRequest("signed tag is not a JWS with a payload");
        List<String[]> sigs = new ArrayList<>();
        if (n.has("signatures")) {
            for (JsonNode s : n.get("signatures")) sigs.add(signature(s));
        } else {
            sigs.add(signature(n));
        }
        if (sigs.isEmpty()) throw RegistryException.badRequest("signed tag has no signatures");
        String payload = n.get("payload").asText();
        if (!payload.matches("[A-Za-z0-9_-]*"))
            throw RegistryException.badRequest("signed tag payload is not base64url");
        return new Parsed(payload, sigs);
    }

    private static String[] signature(JsonNode s) {
        if (!s.path("protected").isTextual() || !s.path("signature").isTextual())
            throw RegistryException.badRequest("signed tag signature lacks 'protected' or 'signature'");
        return new String[] {s.get("protected").asText(), s.get("signature").asText()};
    }
}
