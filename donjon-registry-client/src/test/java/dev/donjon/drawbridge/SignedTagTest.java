package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tag signatures: accepted only with a required key, and a refusal says which way the tag failed. */
class SignedTagTest {
    private static final Meta ENTRY = Meta.of("{}".getBytes(StandardCharsets.UTF_8), Meta.DIRECTORY_TYPE);
    private static final Meta OTHER_ENTRY = Meta.of("{\"x\":1}".getBytes(StandardCharsets.UTF_8), Meta.DIRECTORY_TYPE);

    private static KeyPair keys(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static byte[] sign(KeyPair k) {
        return SignedTag.sign(RegistryJson.writeEntry(ENTRY), (ECPrivateKey) k.getPrivate());
    }

    private static ECPublicKey pub(KeyPair k) {
        return (ECPublicKey) k.getPublic();
    }

    @Test
    void theSignersKeyAmongSeveralAcceptsAndNamesItInTheProtectedHeader() throws Exception {
        KeyPair signer = keys("secp256r1"), other = keys("secp384r1");
        byte[] tag = sign(signer);
        assertEquals(ENTRY, SignedTag.verifyAny(tag, List.of(pub(other), pub(signer)), "tag"));
        String header = new String(
                Base64.getUrlDecoder()
                        .decode(RegistryJson.parse(tag, "t").get("protected").asText()),
                StandardCharsets.UTF_8);
        assertTrue(header.contains("\"kid\":\"" + SignedTag.keyId(pub(signer)) + "\""), header);

        KeyPair p384 = keys("secp384r1");
        assertEquals(ENTRY, SignedTag.verify(sign(p384), pub(p384)));
        assertTrue(new String(
                        Base64.getUrlDecoder()
                                .decode(RegistryJson.parse(sign(p384), "t")
                                        .get("protected")
                                        .asText()),
                        StandardCharsets.UTF_8)
                .contains("ES384"));
    }

    @Test
    void aTagByAnotherKeyIsRefusedNamingThatKey() throws Exception {
        KeyPair signer = keys("secp256r1"), required = keys("secp256r1");
        RegistryException e =
                assertThrows(RegistryException.class, () -> SignedTag.verify(sign(signer), pub(required)));
        assertEquals(403, e.status());
        assertEquals(
                "tag is signed by another key (" + SignedTag.keyId(pub(signer)) + "), not by the required key "
                        + SignedTag.keyId(pub(required)),
                e.getMessage());
    }

    @Test
    void anAlteredTagIsABadSignatureNotAnotherKey() throws Exception {
        KeyPair signer = keys("secp256r1");
        ObjectNode n = (ObjectNode) RegistryJson.parse(sign(signer), "t");
        n.put("payload", Base64.getUrlEncoder().withoutPadding().encodeToString(RegistryJson.writeEntry(OTHER_ENTRY)));
        RegistryException e =
                assertThrows(RegistryException.class, () -> SignedTag.verify(RegistryJson.write(n), pub(signer)));
        assertEquals(403, e.status());
        assertTrue(
                e.getMessage()
                        .startsWith("tag has a bad signature: the signature by required key "
                                + SignedTag.keyId(pub(signer)) + " does not verify"),
                e.getMessage());

        ObjectNode junk = (ObjectNode) RegistryJson.parse(sign(signer), "t");
        junk.put("protected", "not-a-header");
        assertTrue(assertThrows(RegistryException.class, () -> SignedTag.verify(RegistryJson.write(junk), pub(signer)))
                .getMessage()
                .startsWith("tag has a bad signature: a signature is malformed"));
    }

    @Test
    void aTagNamingNoKeyVerifiesWithTheRightKeyAndIsOtherwiseRefusedHonestly() throws Exception {
        KeyPair signer = keys("secp256r1"), required = keys("secp256r1");
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload(RegistryJson.writeEntry(ENTRY)));
        jws.sign(new ECDSASigner((ECPrivateKey) signer.getPrivate()));
        String[] parts = jws.serialize().split("\\.");
        byte[] tag = ("{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2]
                        + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(ENTRY, SignedTag.verify(tag, pub(signer)));
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> SignedTag.verifyAny(tag, List.of(pub(required), pub(keys("secp384r1"))), "tag"));
        assertEquals(
                "tag signature does not verify with any of the 2 required keys (its signature names no key: signed by another key, or altered)",
                e.getMessage());
    }

    @Test
    void publisherKeysMustBeP256OrP384() throws Exception {
        KeyPair p384 = keys("secp384r1");
        assertEquals(
                pub(p384).getW(),
                SignedTag.publisherKey(p384.getPublic().getEncoded()).getW());
        KeyPair p256 = keys("secp256r1");
        assertEquals(
                pub(p256).getW(),
                SignedTag.publisherKey(p256.getPublic().getEncoded()).getW());
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertEquals(
                "not an EC public key",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> SignedTag.publisherKey(
                                        rsa.generateKeyPair().getPublic().getEncoded()))
                        .getMessage());
        KeyPair p521 = keys("secp521r1");
        assertEquals(
                "an EC key on a curve other than P-256 or P-384",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> SignedTag.publisherKey(p521.getPublic().getEncoded()))
                        .getMessage());
        assertEquals(
                "not an EC public key",
                assertThrows(IllegalArgumentException.class, () -> SignedTag.publisherKey(new byte[] {0x30, 0}))
                        .getMessage());
    }
}
